/**
 * The deployment files run every process with /metrics on the operator port (declared,
 * annotated for Prometheus, exposed by no Service, published nowhere) and give it longer to
 * stop than its drain delay plus shutdown timeout. Then each check is broken once on a copy.
 */
import { describe, expect, it } from 'vitest';
import { copy, targets, type Breakage } from './breakages.js';
import { loadCompose, type ComposeFile, type ComposeService } from './compose.js';
import { kubectlAvailable, renderKustomize, type Container, type DeploymentSpec, type Resource, type ServiceSpecK8s } from './kubernetes.js';
import { checkComposeOperations, checkKubernetesOperations, durationMs } from './operations.js';

const kubectl = kubectlAvailable();
const rendered = new Map<string, Resource[]>();
const render = (name: keyof typeof targets): Resource[] => {
  if (!rendered.has(name)) rendered.set(name, renderKustomize(targets[name]));
  return copy(rendered.get(name)!);
};
const find = (resources: Resource[], kind: string, name: string): Resource => resources.find((resource) => resource.kind === kind && resource.metadata?.name === name)!;
const template = (resources: Resource[], name: string) => (find(resources, 'Deployment', name).spec as DeploymentSpec).template!;
const containerOf = (resources: Resource[], name: string): Container & { lifecycle?: unknown } => template(resources, name).spec!.containers![0]!;
const annotations = (resources: Resource[], name: string) => (template(resources, name).metadata as { annotations: Record<string, string> }).annotations;
const config = (resources: Resource[]) => find(resources, 'ConfigMap', 'seam-config').data!;

const kubernetesBreakages: Breakage<Resource[]>[] = [
  { name: 'no operator port', target: 'split', mutate: (r) => delete config(r)['SEAM_OPERATOR_PORT'], expected: /Deployment "catalog": \/metrics is served on the service port, expected on the operator port/ },
  { name: 'the gateway with /metrics nowhere', target: 'split', mutate: (r) => delete config(r)['SEAM_OPERATOR_PORT'], expected: /Deployment "gateway": \/metrics is served nowhere/ },
  { name: 'another operator port', target: 'monolith', mutate: (r) => (config(r)['SEAM_OPERATOR_PORT'] = '9100'), expected: /Deployment "shop": SEAM_OPERATOR_PORT is 9100, expected 9464/ },
  {
    name: 'the metrics port not declared',
    target: 'split',
    mutate: (r) => (containerOf(r, 'orders').ports = containerOf(r, 'orders').ports!.filter((port) => port.name !== 'metrics')),
    expected: /Deployment "orders": no container port named "metrics" on 9464/,
  },
  { name: 'Prometheus told another port', target: 'split', mutate: (r) => (annotations(r, 'payments')['prometheus.io/port'] = '3000'), expected: /Deployment "payments": pod annotation prometheus.io\/port is "3000", expected "9464"/ },
  { name: 'no scrape annotation', target: 'monolith', mutate: (r) => delete annotations(r, 'shop')['prometheus.io/scrape'], expected: /Deployment "shop": pod annotation prometheus.io\/scrape is undefined/ },
  {
    name: 'the operator port behind the public Service',
    target: 'split',
    mutate: (r) => (find(r, 'Service', 'gateway-public').spec as ServiceSpecK8s).ports!.push({ name: 'metrics', port: 9464, targetPort: 'metrics' }),
    expected: /Service "gateway-public": exposes the operator port 9464/,
  },
  {
    name: 'a grace period shorter than drain plus shutdown timeout',
    target: 'split',
    mutate: (r) => ((template(r, 'orders').spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds = 15),
    expected: /Deployment "orders": terminationGracePeriodSeconds 15 is not longer than the 15 s the process may take to stop/,
  },
  {
    name: 'a preStop sleep that eats the grace period',
    target: 'monolith',
    mutate: (r) => (containerOf(r, 'shop').lifecycle = { preStop: { exec: { command: ['sleep', '20'] } } }),
    expected: /Deployment "shop": terminationGracePeriodSeconds 30 is not longer than the 35 s the process may take to stop/,
  },
  { name: 'a longer shutdown timeout than the grace period', target: 'monolith', mutate: (r) => (config(r)['SHUTDOWN_TIMEOUT_MS'] = '30000'), expected: /not longer than the 35 s the process may take to stop/ },
];

describe.skipIf(!kubectl)('Kubernetes manifests: operator port and stopping', () => {
  it.each(['monolith', 'split'] as const)('deploy/%s/k8s serves /metrics on the operator port and gives pods time to drain', (name) => {
    expect(checkKubernetesOperations(render(name), targets[name])).toEqual([]);
  });

  it.each(kubernetesBreakages)('reports $name ($target)', ({ target, mutate, expected }) => {
    const resources = render(target);
    mutate(resources);
    expect(checkKubernetesOperations(resources, targets[target])).toContainEqual(expect.stringMatching(expected));
  });
});

const app = (compose: ComposeFile, name: string): ComposeService & { stop_grace_period?: string } => compose.services![name]!;
const appEnv = (compose: ComposeFile, name: string) => app(compose, name).environment as Record<string, string>;

const composeBreakages: Breakage<ComposeFile>[] = [
  { name: 'no operator port on the gateway', target: 'split', mutate: (c) => delete appEnv(c, 'gateway')['SEAM_OPERATOR_PORT'], expected: /compose service "gateway": \/metrics is served nowhere/ },
  { name: 'no operator port on the monolith', target: 'monolith', mutate: (c) => delete appEnv(c, 'app')['SEAM_OPERATOR_PORT'], expected: /compose service "app": \/metrics is served nowhere/ },
  { name: 'the operator port published', target: 'split', mutate: (c) => app(c, 'gateway').ports!.push('9464:9464'), expected: /compose service "gateway": publishes the operator port 9464/ },
  { name: "compose's default grace period", target: 'monolith', mutate: (c) => delete app(c, 'app').stop_grace_period, expected: /compose service "app": stop_grace_period 10 s is not longer than the 15 s/ },
  { name: 'a short grace period', target: 'split', mutate: (c) => (app(c, 'orders').stop_grace_period = '15s'), expected: /compose service "orders": stop_grace_period 15 s is not longer than the 15 s/ },
];

describe('compose files: operator port and stopping', () => {
  it.each(['monolith', 'split'] as const)('deploy/%s/compose.yaml serves /metrics on the operator port and gives containers time to drain', (name) => {
    expect(checkComposeOperations(loadCompose(targets[name]), targets[name])).toEqual([]);
  });

  it.each(composeBreakages)('reports $name ($target)', ({ target, mutate, expected }) => {
    const compose = copy(loadCompose(targets[target]));
    mutate(compose);
    expect(checkComposeOperations(compose, targets[target])).toContainEqual(expect.stringMatching(expected));
  });

  it('reads compose durations', () => {
    expect([durationMs(undefined), durationMs('20s'), durationMs('1m30s'), durationMs('500ms')]).toEqual([10_000, 20_000, 90_000, 500]);
  });
});
