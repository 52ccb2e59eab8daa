/**
 * @module Checks how the deployment files run each process: /metrics on the operator port
 * (declared, annotated for Prometheus, exposed by no Service, published nowhere) and a stop
 * grace period longer than the process's own drain delay plus shutdown timeout.
 */
import { metricsPlacement } from '../../src/host/operator.js';
import { loadConfig } from '../../src/kernel/config.js';
import type { ComposeFile, ComposeService } from './compose.js';
import type { Container, DeploymentSpec, Resource, ServiceSpecK8s } from './kubernetes.js';
import type { Target } from './targets.js';

/** The operator port every deployment gives SEAM_OPERATOR_PORT. */
export const operatorPort = 9464;

type Env = Record<string, string>;

/** A placeholder secret long enough for loadConfig, where the real one sits in a Secret. */
const placeholderSecret = 'placeholder-secret-of-at-least-32-chars';

/** What the process makes of `env`: where /metrics goes and the longest it takes to stop after SIGTERM. */
const processOf = (where: string, env: Env, gateway: boolean, problems: string[]) => {
  try {
    const config = loadConfig({ JWT_SECRET: placeholderSecret, ...env });
    return { placement: metricsPlacement(config, { gateway }), stopMs: config.drainDelayMs + config.shutdownTimeoutMs };
  } catch (error) {
    problems.push(`${where}: the process would refuse this environment: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
};

const checkPlacement = (where: string, placement: ReturnType<typeof metricsPlacement>, problems: string[]): void => {
  if (placement.where !== 'operator-port') problems.push(`${where}: /metrics is served ${placement.where === 'nowhere' ? 'nowhere' : 'on the service port'}, expected on the operator port (SEAM_OPERATOR_PORT)`);
  else if (placement.port !== operatorPort) problems.push(`${where}: SEAM_OPERATOR_PORT is ${placement.port}, expected ${operatorPort}`);
};

// ---- Kubernetes -------------------------------------------------------------------------

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  containers?: (Container & { lifecycle?: { preStop?: { exec?: { command?: string[] } } } })[];
}

/** Plain values a container gets from ConfigMaps and `value`s; Secrets are left out (nothing here reads them). */
const plainEnv = (container: Container, resources: readonly Resource[]): Env => {
  const configMap = (name: string | undefined) => resources.find((resource) => resource.kind === 'ConfigMap' && resource.metadata?.name === name)?.data ?? {};
  const env: Env = {};
  for (const from of container.envFrom ?? []) if (from.configMapRef) Object.assign(env, configMap(from.configMapRef.name));
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.configMapKeyRef;
    const value = variable.value ?? (ref ? configMap(ref.name)[ref.key ?? ''] : undefined);
    if (variable.name !== undefined && value !== undefined) env[variable.name] = value;
  }
  return env;
};

/** Seconds a `sleep N` preStop hook waits before the process even gets SIGTERM. */
const preStopSeconds = (container: NonNullable<PodSpec['containers']>[number]): number => {
  const command = container.lifecycle?.preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1] ?? 0) : 0;
};

export const checkKubernetesOperations = (resources: readonly Resource[], target: Target): string[] => {
  const problems: string[] = [];
  const services = resources.filter((resource) => resource.kind === 'Service');
  for (const service of target.topology.services) {
    const deployment = resources.find((resource) => resource.kind === 'Deployment' && resource.metadata?.name === service.name);
    const template = (deployment?.spec as DeploymentSpec | undefined)?.template;
    const pod = template?.spec as PodSpec | undefined;
    const container = pod?.containers?.[0];
    if (!template || !pod || !container) continue; // manifests-kubernetes.test.ts reports a missing Deployment or container
    const where = `Deployment "${service.name}"`;
    const env = plainEnv(container, resources);
    const running = processOf(where, env, service.gateway, problems);
    if (!running) continue;
    checkPlacement(where, running.placement, problems);

    const metrics = container.ports?.find((port) => port.name === 'metrics');
    if (metrics?.containerPort !== operatorPort) problems.push(`${where}: no container port named "metrics" on ${operatorPort}`);
    const annotations = (template.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
    const expected = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(operatorPort), 'prometheus.io/path': '/metrics' };
    for (const [key, value] of Object.entries(expected)) {
      if (annotations[key] !== value) problems.push(`${where}: pod annotation ${key} is ${JSON.stringify(annotations[key])}, expected ${JSON.stringify(value)}`);
    }
    // Prometheus reaches pods directly; a Service port would put /metrics behind a stable address.
    for (const exposing of services) {
      const ports = (exposing.spec as ServiceSpecK8s | undefined)?.ports ?? [];
      if (ports.some((port) => [port.targetPort, port.port].some((value) => value === 'metrics' || value === operatorPort))) {
        problems.push(`Service "${exposing.metadata?.name}": exposes the operator port ${operatorPort}`);
      }
    }

    const graceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
    const neededMs = preStopSeconds(container) * 1000 + running.stopMs;
    if (graceMs <= neededMs) problems.push(`${where}: terminationGracePeriodSeconds ${graceMs / 1000} is not longer than the ${neededMs / 1000} s the process may take to stop`);
  }
  return problems;
};

// ---- Compose ----------------------------------------------------------------------------

/** A compose duration ("20s", "1m30s", "500ms") in milliseconds; compose's default is 10 s. */
export const durationMs = (text: string | undefined): number => {
  if (text === undefined) return 10_000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)) total += Number(amount) * (units[unit ?? 's'] ?? 0);
  return total;
};

const composeEnv = (service: ComposeService): Env =>
  Object.fromEntries(
    Array.isArray(service.environment)
      ? service.environment.filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
      : Object.entries(service.environment ?? {}).filter(([, value]) => value !== null).map(([key, value]) => [key, String(value)]),
  );

const publishedTargets = (service: ComposeService): number[] =>
  (service.ports ?? []).map((port) => (typeof port === 'object' ? Number(port.target) : Number(String(port).split(':').at(-1)?.split('/')[0])));

export const checkComposeOperations = (compose: ComposeFile, target: Target): string[] => {
  const problems: string[] = [];
  for (const [key, app] of Object.entries(compose.services ?? {})) {
    const env = composeEnv(app);
    const service = target.topology.services.find((candidate) => candidate.name === env['SEAM_SERVICE']);
    if (!service) continue; // not an application service; manifests-compose.test.ts checks those
    const where = `compose service "${key}"`;
    const running = processOf(where, env, service.gateway, problems);
    if (!running) continue;
    checkPlacement(where, running.placement, problems);
    if (publishedTargets(app).includes(operatorPort)) problems.push(`${where}: publishes the operator port ${operatorPort}`);
    const graceMs = durationMs((app as { stop_grace_period?: string }).stop_grace_period);
    if (graceMs <= running.stopMs) problems.push(`${where}: stop_grace_period ${graceMs / 1000} s is not longer than the ${running.stopMs / 1000} s the process may take to stop`);
  }
  return problems;
};
