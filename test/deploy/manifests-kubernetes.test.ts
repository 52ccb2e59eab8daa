/**
 * The Kubernetes manifests of each deployment (deploy/<x>/k8s), checked as kustomize renders
 * them, i.e. as `kubectl apply -k` would send them, against the topology each deploys: every
 * service there, with its replicas, probes, ports and environment, and nothing that is not.
 * Then a copy is broken one way at a time and the checks must say so: a rule that silently
 * stopped matching would otherwise pass forever.
 */
import { describe, expect, it } from 'vitest';
import { allTargets, copy, targets, withReplicas, type Breakage } from './breakages.js';
import {
  checkKubernetes,
  kubectlAvailable,
  renderKustomize,
  type Container,
  type DeploymentSpec,
  type HpaSpec,
  type JobSpec,
  type Resource,
  type ServiceSpecK8s,
} from './kubernetes.js';
import type { Target } from './targets.js';

const kubectl = kubectlAvailable();

const find = (resources: Resource[], kind: string, name: string): Resource => {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata?.name === name);
  if (!found) throw new Error(`the manifests have no ${kind} "${name}"`);
  return found;
};
const drop = (resources: Resource[], kind: string, name: string): void => void resources.splice(resources.indexOf(find(resources, kind, name)), 1);
const deployment = (resources: Resource[], name: string): DeploymentSpec => find(resources, 'Deployment', name).spec as DeploymentSpec;
const podOf = (resources: Resource[], name: string) => deployment(resources, name).template!.spec!;
const containerOf = (resources: Resource[], name: string): Container => podOf(resources, name).containers![0]!;
const envVar = (container: Container, name: string) => container.env!.find((variable) => variable.name === name)!;
const service = (resources: Resource[], name: string): ServiceSpecK8s => find(resources, 'Service', name).spec as ServiceSpecK8s;
const hpa = (resources: Resource[], name: string): HpaSpec => find(resources, 'HorizontalPodAutoscaler', name).spec as HpaSpec;
const config = (resources: Resource[]) => find(resources, 'ConfigMap', 'seam-config').data!;
const secret = (resources: Resource[]) => find(resources, 'Secret', 'seam-secrets').stringData!;
const jobContainer = (resources: Resource[]): Container => (find(resources, 'Job', 'db-provision').spec as JobSpec).template!.spec!.containers![0]!;

const kubernetesBreakages: Breakage<Resource[]>[] = [
  { name: 'a topology service without a Deployment', target: 'split', mutate: (r) => drop(r, 'Deployment', 'catalog'), expected: /service "catalog": 0 Deployments/ },
  {
    name: 'a Deployment for a service the topology does not have',
    target: 'split',
    mutate: (r) => r.push({ ...copy(find(r, 'Deployment', 'catalog')), metadata: { name: 'search', namespace: 'seam' } }),
    expected: /Deployment "search" is no service of deploy\/split\/topology.yaml/,
  },
  { name: 'replicas other than the topology’s', target: 'split', mutate: (r) => (deployment(r, 'gateway').replicas = 2), expected: /Deployment "gateway": replicas 2, but deploy\/split\/topology.yaml asks for 1/ },
  // Even the topology's own count: `kubectl apply` would still reset the HPA's scaling to it.
  {
    name: 'replicas on a Deployment an autoscaler scales',
    target: 'split',
    mutate: (r) => (deployment(r, 'catalog').replicas = 2),
    expected: /Deployment "catalog": sets replicas although HorizontalPodAutoscaler "catalog" manages them/,
  },
  {
    name: 'replicas on the autoscaled monolith',
    target: 'monolith',
    mutate: (r) => (deployment(r, 'shop').replicas = 1),
    expected: /Deployment "shop": sets replicas although HorizontalPodAutoscaler "shop" manages them/,
  },
  {
    name: 'a Deployment selector that misses its own pods',
    target: 'split',
    mutate: (r) => (deployment(r, 'orders').selector!.matchLabels!['app.kubernetes.io/component'] = 'order'),
    expected: /Deployment "orders": its selector does not match its own pods/,
  },
  { name: 'two containers', target: 'split', mutate: (r) => podOf(r, 'payments').containers!.push(copy(containerOf(r, 'payments'))), expected: /Deployment "payments": 2 containers/ },
  { name: 'the container port moved', target: 'split', mutate: (r) => (containerOf(r, 'shipping').ports![0]!.containerPort = 8080), expected: /Deployment "shipping": no container port named "http" on 3000/ },
  { name: 'readiness on the wrong path', target: 'split', mutate: (r) => (containerOf(r, 'catalog').readinessProbe!.httpGet!.path = '/healthz'), expected: /readinessProbe is on \/healthz, expected \/readyz/ },
  { name: 'no liveness probe', target: 'monolith', mutate: (r) => delete containerOf(r, 'shop').livenessProbe, expected: /Deployment "shop": has no livenessProbe/ },
  { name: 'a probe on another port', target: 'split', mutate: (r) => (containerOf(r, 'orders').livenessProbe!.httpGet!.port = 8080), expected: /livenessProbe port 8080 is not container port 3000/ },
  { name: 'a Service targeting another port', target: 'split', mutate: (r) => (service(r, 'inventory').ports![0]!.targetPort = 'web'), expected: /Service "inventory": no port targets container port 3000/ },
  { name: 'a topology service without its Service', target: 'split', mutate: (r) => drop(r, 'Service', 'identity'), expected: /service "identity": 0 Services of that name/ },
  { name: 'a Service that is not headless', target: 'split', mutate: (r) => delete service(r, 'catalog').clusterIP, expected: /Service "catalog": not headless/ },
  { name: 'a headless Service on another port', target: 'split', mutate: (r) => (service(r, 'catalog').ports![0]!.port = 80), expected: /Service "catalog": headless, so it must list port 3000/ },
  {
    name: 'a Service selecting no pods',
    target: 'split',
    mutate: (r) => (service(r, 'notifications').selector!['app.kubernetes.io/component'] = 'notification'),
    expected: /Service "notifications" selects the pods of no Deployment/,
  },
  { name: 'no stable address for the gateway', target: 'split', mutate: (r) => drop(r, 'Service', 'gateway-public'), expected: /gateway "gateway": no ClusterIP Service/ },
  { name: 'the wrong SEAM_SERVICE', target: 'split', mutate: (r) => (envVar(containerOf(r, 'catalog'), 'SEAM_SERVICE').value = 'orders'), expected: /Deployment "catalog": SEAM_SERVICE is "orders", expected "catalog"/ },
  {
    name: 'a SEAM_TOPOLOGY that is not in the image',
    target: 'split',
    mutate: (r) => (config(r)['SEAM_TOPOLOGY'] = '/app/deploy/split/topology.yml'),
    expected: /SEAM_TOPOLOGY \/app\/deploy\/split\/topology.yml is not a file of the repository/,
  },
  { name: 'PORT not the container port', target: 'monolith', mutate: (r) => (config(r)['PORT'] = '3001'), expected: /Deployment "shop": PORT is "3001", expected "3000"/ },
  { name: 'a setting the process refuses', target: 'split', mutate: (r) => (config(r)['LOG_LEVEL'] = 'loud'), expected: /the process would refuse this environment:[\s\S]*LOG_LEVEL/ },
  {
    name: 'a reference to a Secret key that does not exist',
    target: 'split',
    mutate: (r) => (envVar(containerOf(r, 'catalog'), 'DATABASE_URL').valueFrom!.secretKeyRef!.key = 'DATABASE_URL_CATLOG'),
    expected: /env DATABASE_URL refers to key "DATABASE_URL_CATLOG", which seam-secrets does not have/,
  },
  { name: 'a reference to a ConfigMap that does not exist', target: 'monolith', mutate: (r) => (containerOf(r, 'shop').envFrom![0]!.configMapRef!.name = 'seam-conf'), expected: /refers to ConfigMap "seam-conf"/ },
  {
    name: 'a service connecting as another service’s role',
    target: 'split',
    mutate: (r) => (envVar(containerOf(r, 'catalog'), 'DATABASE_URL').valueFrom!.secretKeyRef!.key = 'DATABASE_URL_ORDERS'),
    expected: /DATABASE_URL connects as "seam_orders", expected the service's own role "seam_catalog"/,
  },
  {
    name: 'a database for the gateway, which runs no module',
    target: 'split',
    mutate: (r) => containerOf(r, 'gateway').env!.push({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'seam-secrets', key: 'DATABASE_URL_CATALOG' } } }),
    expected: /Deployment "gateway": DATABASE_URL is set, but "gateway" runs no module/,
  },
  { name: 'no DATABASE_URL in the monolith', target: 'monolith', mutate: (r) => (containerOf(r, 'shop').env = containerOf(r, 'shop').env!.filter((v) => v.name !== 'DATABASE_URL')), expected: /Deployment "shop": DATABASE_URL is not set/ },
  { name: 'a short JWT_SECRET', target: 'split', mutate: (r) => (secret(r)['JWT_SECRET'] = 'change-me'), expected: /JWT_SECRET has 9 characters, at least 32 needed/ },
  {
    name: 'services that do not share the service secret',
    target: 'split',
    mutate: (r) => (envVar(containerOf(r, 'orders'), 'SEAM_SERVICE_SECRET').valueFrom!.secretKeyRef!.key = 'JWT_SECRET'),
    expected: /SEAM_SERVICE_SECRET differs between services/,
  },
  { name: 'a real-looking secret in git', target: 'monolith', mutate: (r) => (secret(r)['ADMIN_PASSWORD'] = 'hunter2hunter2'), expected: /Secret "seam-secrets": ADMIN_PASSWORD is not marked as a change-me placeholder/ },
  { name: 'no Redis in the split', target: 'split', mutate: (r) => (containerOf(r, 'orders').env = containerOf(r, 'orders').env!.filter((v) => v.name !== 'REDIS_URL')), expected: /Deployment "orders": REDIS_URL is undefined/ },
  { name: 'discovery off', target: 'split', mutate: (r) => delete config(r)['SEAM_DISCOVERY'], expected: /SEAM_DISCOVERY is undefined, expected "dns"/ },
  { name: 'a DNS name outside the namespace', target: 'split', mutate: (r) => (config(r)['SEAM_DNS_NAME'] = '{service}'), expected: /SEAM_DNS_NAME is "\{service\}", expected "\{service\}.seam.svc.cluster.local"/ },
  { name: 'pods that may run as root', target: 'split', mutate: (r) => delete podOf(r, 'identity').securityContext!.runAsNonRoot, expected: /Deployment "identity": container "seam" does not set securityContext.runAsNonRoot/ },
  { name: 'pods as user 0', target: 'monolith', mutate: (r) => (podOf(r, 'shop').securityContext!.runAsUser = 0), expected: /Deployment "shop": container "seam" runs as user 0/ },
  { name: 'no resource limits', target: 'split', mutate: (r) => delete containerOf(r, 'payments').resources!.limits, expected: /Deployment "payments": container "seam" has no limits.cpu/ },
  { name: 'a resource in another namespace', target: 'split', mutate: (r) => (find(r, 'Service', 'gateway-public').metadata!.namespace = 'default'), expected: /Service "gateway-public" is in namespace "default"/ },
  { name: 'no Namespace', target: 'monolith', mutate: (r) => drop(r, 'Namespace', 'seam'), expected: /no Namespace "seam"/ },
  { name: 'no autoscaler for catalog', target: 'split', mutate: (r) => drop(r, 'HorizontalPodAutoscaler', 'catalog'), expected: /service "catalog": no HorizontalPodAutoscaler scales it/ },
  { name: 'no autoscaler for the monolith', target: 'monolith', mutate: (r) => drop(r, 'HorizontalPodAutoscaler', 'shop'), expected: /service "shop": no HorizontalPodAutoscaler scales it/ },
  {
    name: 'an autoscaler removed, leaving its Deployment at the default one replica',
    target: 'split',
    mutate: (r) => drop(r, 'HorizontalPodAutoscaler', 'catalog'),
    expected: /Deployment "catalog": replicas 1, but deploy\/split\/topology.yaml asks for 2/,
  },
  { name: 'an autoscaler below the topology', target: 'split', mutate: (r) => (hpa(r, 'catalog').minReplicas = 1), expected: /HorizontalPodAutoscaler "catalog": minReplicas 1, but deploy\/split\/topology.yaml asks for 2/ },
  { name: 'an autoscaler above the topology', target: 'split', mutate: (r) => (hpa(r, 'catalog').minReplicas = 3), expected: /HorizontalPodAutoscaler "catalog": minReplicas 3, but deploy\/split\/topology.yaml asks for 2/ },
  { name: 'a monolith autoscaler above the topology', target: 'monolith', mutate: (r) => (hpa(r, 'shop').minReplicas = 2), expected: /HorizontalPodAutoscaler "shop": minReplicas 2, but deploy\/monolith\/topology.yaml asks for 1/ },
  {
    name: 'two autoscalers for one Deployment',
    target: 'split',
    mutate: (r) => r.push({ ...copy(find(r, 'HorizontalPodAutoscaler', 'catalog')), metadata: { name: 'catalog-cpu', namespace: 'seam' } }),
    expected: /Deployment "catalog": 2 HorizontalPodAutoscalers scale it \(catalog, catalog-cpu\), expected at most one/,
  },
  { name: 'an autoscaler of nothing', target: 'split', mutate: (r) => (hpa(r, 'orders').scaleTargetRef!.name = 'order'), expected: /HorizontalPodAutoscaler "orders": scales Deployment "order", which is not a Deployment/ },
  { name: 'an old autoscaling API', target: 'split', mutate: (r) => (find(r, 'HorizontalPodAutoscaler', 'orders').apiVersion = 'autoscaling/v1'), expected: /expected autoscaling\/v2/ },
  { name: 'an autoscaler not on CPU', target: 'split', mutate: (r) => (hpa(r, 'orders').metrics![0]!.resource!.name = 'memory'), expected: /HorizontalPodAutoscaler "orders": does not scale on CPU/ },
  { name: 'an autoscaler with max below min', target: 'split', mutate: (r) => (hpa(r, 'catalog').maxReplicas = 1), expected: /maxReplicas 1 is below minReplicas/ },
  { name: 'no provisioning Job', target: 'split', mutate: (r) => drop(r, 'Job', 'db-provision'), expected: /Job "db-provision": 0 found/ },
  { name: 'a provisioning Job running something else', target: 'split', mutate: (r) => (jobContainer(r).command = ['node', 'scripts/provision.ts']), expected: /Job "db-provision": command/ },
  {
    name: 'a role the Job does not create',
    target: 'split',
    mutate: (r) => (jobContainer(r).env = jobContainer(r).env!.filter((v) => v.name !== 'DATABASE_URL_ORDERS')),
    expected: /Job "db-provision": DATABASE_URL_ORDERS is not set, so the role of "orders" is not created/,
  },
  {
    name: 'a role created with another password than the service uses',
    target: 'split',
    mutate: (r) => (envVar(jobContainer(r), 'DATABASE_URL_ORDERS').valueFrom!.secretKeyRef!.key = 'DATABASE_URL_CATALOG'),
    expected: /Job "db-provision": DATABASE_URL_ORDERS differs from the DATABASE_URL "orders" connects with/,
  },
  { name: 'two images', target: 'split', mutate: (r) => (containerOf(r, 'shipping').image = 'seam:other'), expected: /containers use 2 images/ },
];

describe.skipIf(!kubectl)(`Kubernetes manifests (kubectl kustomize)${kubectl ? '' : ' — SKIPPED: kubectl is not on PATH'}`, () => {
  const rendered = new Map<Target, Resource[]>();
  const render = (target: Target): Resource[] => {
    if (!rendered.has(target)) rendered.set(target, renderKustomize(target));
    return copy(rendered.get(target)!);
  };

  it.each(allTargets)('deploy/$name/k8s matches its topology', (target) => {
    expect(checkKubernetes(render(target), target)).toEqual([]);
  });

  it('follows the topology, not a copy of it: three catalog replicas there make the autoscaler’s minimum of two wrong', () => {
    const problems = checkKubernetes(render(targets.split), withReplicas(targets.split, 'catalog', 3));
    expect(problems).toEqual([`HorizontalPodAutoscaler "catalog": minReplicas 2, but deploy/split/topology.yaml asks for 3`]);
  });

  it('follows the topology, not a copy of it: two gateway replicas there make one here wrong', () => {
    const problems = checkKubernetes(render(targets.split), withReplicas(targets.split, 'gateway', 2));
    expect(problems).toEqual([`Deployment "gateway": replicas 1, but deploy/split/topology.yaml asks for 2`]);
  });

  it.each(kubernetesBreakages)('reports $name ($target)', ({ target, mutate, expected }) => {
    const resources = render(targets[target]);
    mutate(resources);
    expect(checkKubernetes(resources, targets[target])).toContainEqual(expect.stringMatching(expected));
  });
});
