/**
 * @module Checks the rendered Kubernetes manifests of a deployment against its topology.
 * `checkKubernetes` returns every problem it finds as a sentence, so a test can show all of
 * them at once and can prove each rule fires by breaking a copy of the manifests. The
 * resources it reads, and how they are rendered, are in kubernetes-resources.ts.
 */
import type { ServiceSpec } from '../../src/host/topology.js';
import { serviceUrlVariable } from '../../src/host/service-logins.js';
import { checkProvisioning, checkServiceEnv, checkSharedSecrets, type Env } from './environment.js';
import { nameOf, resolvePort, selects, specOf, type Container, type DeploymentSpec, type HpaSpec, type JobSpec, type Labels, type PodTemplate, type Resource, type ServiceSpecK8s } from './kubernetes-resources.js';
import { namespace, servicePort, type Target } from './targets.js';

// Callers of the checks get what they check, and how to render it, from here too.
export { kubectlAvailable, renderKustomize, type Container, type DeploymentSpec, type HpaSpec, type JobSpec, type PodTemplate, type Resource, type ServiceSpecK8s } from './kubernetes-resources.js';

interface Context {
  readonly target: Target;
  readonly configMaps: ReadonlyMap<string, Labels>;
  readonly secrets: ReadonlyMap<string, Labels>;
}

/** The environment a container gets: envFrom first, env over it, references looked up (missing ones reported). */
const resolveEnv = (where: string, container: Container, context: Context, problems: string[]): Env => {
  const env: Record<string, string> = {};
  const source = (kind: 'ConfigMap' | 'Secret', name: string | undefined): Labels | undefined => {
    const found = (kind === 'ConfigMap' ? context.configMaps : context.secrets).get(name ?? '');
    if (!found) problems.push(`${where}: refers to ${kind} "${name}", which the manifests do not have`);
    return found;
  };
  for (const from of container.envFrom ?? []) {
    const data = from.configMapRef ? source('ConfigMap', from.configMapRef.name) : from.secretRef ? source('Secret', from.secretRef.name) : undefined;
    Object.assign(env, data);
  }
  for (const variable of container.env ?? []) {
    const name = variable.name ?? '(unnamed)';
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    if (variable.value !== undefined) env[name] = variable.value;
    else if (ref) {
      const data = source(variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name);
      const value = data?.[ref.key ?? ''];
      if (value !== undefined) env[name] = value;
      else if (data) problems.push(`${where}: env ${name} refers to key "${ref.key}", which ${ref.name} does not have`);
    }
  }
  return env;
};

const checkPod = (where: string, template: PodTemplate | undefined, problems: string[]): void => {
  const pod = template?.spec;
  for (const container of pod?.containers ?? []) {
    const nonRoot = container.securityContext?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot;
    if (nonRoot !== true) problems.push(`${where}: container "${container.name}" does not set securityContext.runAsNonRoot: true`);
    const user = container.securityContext?.runAsUser ?? pod?.securityContext?.runAsUser;
    if (user === 0) problems.push(`${where}: container "${container.name}" runs as user 0`);
    for (const kind of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory']) {
        if (container.resources?.[kind]?.[resource] === undefined) problems.push(`${where}: container "${container.name}" has no ${kind}.${resource}`);
      }
    }
  }
  if ((pod?.containers ?? []).length === 0) problems.push(`${where}: has no container`);
};

const checkProbe = (where: string, container: Container, probe: 'readinessProbe' | 'livenessProbe', path: string): string[] => {
  const httpGet = container[probe]?.httpGet;
  if (!httpGet) return [`${where}: has no ${probe} (HTTP GET ${path})`];
  const problems: string[] = [];
  if (httpGet.path !== path) problems.push(`${where}: ${probe} is on ${httpGet.path}, expected ${path}`);
  const port = resolvePort(httpGet.port, container);
  if (port !== servicePort) problems.push(`${where}: ${probe} port ${JSON.stringify(httpGet.port)} is not container port ${servicePort}`);
  return problems;
};

/**
 * One Deployment: its replicas, container, probes and environment. Returns its environment for the cross-checks.
 * `autoscaler` names the HorizontalPodAutoscaler that scales it, if one does: that one owns the
 * replica count (its minReplicas is checked against the topology), so the Deployment must not set
 * replicas, or every `kubectl apply` would reset the HPA's scaling to that number.
 */
const checkDeployment = (deployment: Resource, service: ServiceSpec, autoscaler: string | undefined, context: Context, problems: string[]): Env => {
  const where = `Deployment "${service.name}"`;
  const spec = specOf<DeploymentSpec>(deployment);
  if (autoscaler !== undefined) {
    if (spec.replicas !== undefined) problems.push(`${where}: sets replicas although HorizontalPodAutoscaler "${autoscaler}" manages them`);
  } else if ((spec.replicas ?? 1) !== service.replicas) {
    // Kubernetes defaults replicas to 1.
    problems.push(`${where}: replicas ${spec.replicas ?? 1}, but ${context.target.topologyFile} asks for ${service.replicas}`);
  }
  if (!selects(spec.selector?.matchLabels, spec.template?.metadata?.labels)) problems.push(`${where}: its selector does not match its own pods' labels`);
  checkPod(where, spec.template, problems);
  const containers = spec.template?.spec?.containers ?? [];
  if (containers.length !== 1) problems.push(`${where}: ${containers.length} containers, expected one`);
  const container = containers[0];
  if (!container) return {};
  const http = container.ports?.find((port) => port.name === 'http');
  if (http?.containerPort !== servicePort) problems.push(`${where}: no container port named "http" on ${servicePort}`);
  problems.push(...checkProbe(where, container, 'readinessProbe', '/readyz'), ...checkProbe(where, container, 'livenessProbe', '/healthz'));
  const env = resolveEnv(where, container, context, problems);
  problems.push(...checkServiceEnv(where, env, service, context.target, `{service}.${namespace}.svc.cluster.local`));
  // The provisioning Job creates the role from DATABASE_URL_<SERVICE>: the service must connect with that same URL.
  const databaseRef = container.env?.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key;
  if (context.target.split && service.modules.length > 0 && databaseRef !== serviceUrlVariable(service.name)) {
    problems.push(`${where}: DATABASE_URL comes from ${JSON.stringify(databaseRef)}, expected Secret key ${serviceUrlVariable(service.name)}`);
  }
  return env;
};

/** The Services of one topology service: the one of its name, and (for the gateway) a stable address. */
const checkServices = (service: ServiceSpec, deployment: Resource, resources: readonly Resource[], target: Target, problems: string[]): void => {
  const podLabels = specOf<DeploymentSpec>(deployment).template?.metadata?.labels;
  const container = specOf<DeploymentSpec>(deployment).template?.spec?.containers?.[0] ?? {};
  const services = resources.filter((resource) => resource.kind === 'Service');
  const named = services.filter((resource) => nameOf(resource) === service.name);
  if (named.length !== 1) {
    problems.push(`service "${service.name}": ${named.length} Services of that name, expected exactly one`);
    return;
  }
  const spec = specOf<ServiceSpecK8s>(named[0] as Resource);
  const where = `Service "${service.name}"`;
  if (!selects(spec.selector, podLabels)) problems.push(`${where}: its selector does not select the pods of Deployment "${service.name}"`);
  if (!(spec.ports ?? []).some((port) => resolvePort(port.targetPort ?? port.port, container) === servicePort)) {
    problems.push(`${where}: no port targets container port ${servicePort}`);
  }
  if (target.split) {
    // DNS A records give pod addresses, not a port mapping: callers use SEAM_DNS_PORT on the pods directly.
    if (spec.clusterIP !== 'None') problems.push(`${where}: not headless (clusterIP: None), so its DNS name is one virtual IP, not the pods`);
    if (!(spec.ports ?? []).some((port) => port.port === servicePort)) problems.push(`${where}: headless, so it must list port ${servicePort} itself`);
  }
  if (service.gateway) {
    const stable = services.filter((resource) => {
      const candidate = specOf<ServiceSpecK8s>(resource);
      return candidate.clusterIP !== 'None' && selects(candidate.selector, podLabels);
    });
    if (stable.length === 0) problems.push(`gateway "${service.name}": no ClusterIP Service (not headless) selects its pods`);
  }
};

/** The HorizontalPodAutoscalers that scale a Deployment, by the Deployment's name. */
const autoscalersOf = (resources: readonly Resource[]): Map<string, string> => {
  const byDeployment = new Map<string, string>();
  for (const hpa of resources.filter((resource) => resource.kind === 'HorizontalPodAutoscaler')) {
    const ref = specOf<HpaSpec>(hpa).scaleTargetRef;
    if (ref?.kind === 'Deployment' && ref.name !== undefined && !byDeployment.has(ref.name)) byDeployment.set(ref.name, nameOf(hpa));
  }
  return byDeployment;
};

const checkAutoscalers = (resources: readonly Resource[], target: Target, problems: string[]): void => {
  const hpas = resources.filter((resource) => resource.kind === 'HorizontalPodAutoscaler');
  const deployments = new Set(resources.filter((resource) => resource.kind === 'Deployment').map(nameOf));
  for (const name of target.autoscaled) {
    if (!hpas.some((hpa) => specOf<HpaSpec>(hpa).scaleTargetRef?.name === name)) problems.push(`service "${name}": no HorizontalPodAutoscaler scales it`);
  }
  for (const name of deployments) {
    const scaling = hpas.filter((hpa) => specOf<HpaSpec>(hpa).scaleTargetRef?.kind === 'Deployment' && specOf<HpaSpec>(hpa).scaleTargetRef?.name === name);
    if (scaling.length > 1) problems.push(`Deployment "${name}": ${scaling.length} HorizontalPodAutoscalers scale it (${scaling.map(nameOf).join(', ')}), expected at most one`);
  }
  for (const hpa of hpas) {
    const where = `HorizontalPodAutoscaler "${nameOf(hpa)}"`;
    const spec = specOf<HpaSpec>(hpa);
    if (hpa.apiVersion !== 'autoscaling/v2') problems.push(`${where}: apiVersion ${hpa.apiVersion}, expected autoscaling/v2`);
    const targetName = spec.scaleTargetRef?.name ?? '';
    if (spec.scaleTargetRef?.kind !== 'Deployment' || !deployments.has(targetName)) {
      problems.push(`${where}: scales ${spec.scaleTargetRef?.kind} "${targetName}", which is not a Deployment of these manifests`);
    }
    // The Deployment sets no replicas (see checkDeployment): minReplicas is where the topology's count lives.
    // Kubernetes defaults minReplicas to 1.
    const wanted = target.topology.services.find((service) => service.name === targetName)?.replicas;
    if (wanted !== undefined && (spec.minReplicas ?? 1) !== wanted) {
      problems.push(`${where}: minReplicas ${spec.minReplicas ?? 1}, but ${target.topologyFile} asks for ${wanted}`);
    }
    if ((spec.maxReplicas ?? 0) < (spec.minReplicas ?? 1)) problems.push(`${where}: maxReplicas ${spec.maxReplicas} is below minReplicas`);
    if (!(spec.metrics ?? []).some((metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu')) problems.push(`${where}: does not scale on CPU`);
  }
};

/** The Job that creates every module-running service's role, with the very URLs those services use. */
const checkProvisionJob = (resources: readonly Resource[], envs: ReadonlyMap<string, Env>, context: Context, problems: string[]): void => {
  const jobs = resources.filter((resource) => resource.kind === 'Job' && nameOf(resource) === 'db-provision');
  if (jobs.length !== 1) {
    problems.push(`Job "db-provision": ${jobs.length} found, expected exactly one`);
    return;
  }
  const where = 'Job "db-provision"';
  const template = specOf<JobSpec>(jobs[0] as Resource).template;
  checkPod(where, template, problems);
  const container = template?.spec?.containers?.[0] ?? {};
  problems.push(...checkProvisioning(where, container.command, resolveEnv(where, container, context, problems), envs, context.target));
};

/** Every problem with `resources` (rendered manifests) as deployment files for `target`. */
export const checkKubernetes = (resources: readonly Resource[], target: Target): string[] => {
  const problems: string[] = [];
  const ofKind = (kind: string): Resource[] => resources.filter((resource) => resource.kind === kind);

  if (!ofKind('Namespace').some((resource) => nameOf(resource) === namespace)) problems.push(`no Namespace "${namespace}"`);
  for (const resource of resources) {
    if (resource.kind !== 'Namespace' && resource.metadata?.namespace !== namespace) {
      problems.push(`${resource.kind} "${nameOf(resource)}" is in namespace ${JSON.stringify(resource.metadata?.namespace)}, expected "${namespace}"`);
    }
  }
  const secrets = new Map(
    ofKind('Secret').map((secret) => {
      const decoded = Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
      return [nameOf(secret), { ...decoded, ...secret.stringData }];
    }),
  );
  // Committed secrets can only be placeholders; a real value in git is a leak.
  for (const [name, data] of secrets) {
    for (const [key, value] of Object.entries(data)) {
      if (!value.includes('change-me')) problems.push(`Secret "${name}": ${key} is not marked as a change-me placeholder`);
    }
  }
  const context: Context = { target, configMaps: new Map(ofKind('ConfigMap').map((map) => [nameOf(map), map.data ?? {}])), secrets };

  const names = new Set(target.topology.services.map((service) => service.name));
  const deployments = ofKind('Deployment');
  for (const deployment of deployments) {
    if (!names.has(nameOf(deployment))) problems.push(`Deployment "${nameOf(deployment)}" is no service of ${target.topologyFile}`);
  }
  const envs = new Map<string, Env>();
  const autoscalers = autoscalersOf(resources);
  for (const service of target.topology.services) {
    const matching = deployments.filter((deployment) => nameOf(deployment) === service.name);
    if (matching.length !== 1) {
      problems.push(`service "${service.name}": ${matching.length} Deployments of that name, expected exactly one`);
      continue;
    }
    const deployment = matching[0] as Resource;
    envs.set(service.name, checkDeployment(deployment, service, autoscalers.get(service.name), context, problems));
    checkServices(service, deployment, resources, target, problems);
  }
  problems.push(...checkSharedSecrets(envs));
  for (const service of ofKind('Service')) {
    const selector = specOf<ServiceSpecK8s>(service).selector;
    if (!deployments.some((deployment) => selects(selector, specOf<DeploymentSpec>(deployment).template?.metadata?.labels))) {
      problems.push(`Service "${nameOf(service)}" selects the pods of no Deployment`);
    }
  }
  checkAutoscalers(resources, target, problems);
  if (target.split) checkProvisionJob(resources, envs, context, problems);

  // One image for every service and the Job: the topology, not the image, decides what runs.
  const images = new Set(
    [...deployments, ...ofKind('Job')].flatMap((resource) => (specOf<DeploymentSpec>(resource).template?.spec?.containers ?? []).map((container) => container.image)),
  );
  if (images.size !== 1) problems.push(`containers use ${images.size} images (${[...images].join(', ')}), expected one`);
  return problems;
};
