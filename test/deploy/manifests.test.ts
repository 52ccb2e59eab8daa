/**
 * The deployment files (deploy/Dockerfile, deploy/<x>/compose.yaml, deploy/<x>/k8s) checked
 * against the topology each deploys: every service there, with its replicas, probes, ports
 * and environment, and nothing that is not. Kubernetes manifests are checked as kustomize
 * renders them, i.e. as `kubectl apply -k` would send them.
 *
 * The second half breaks a copy of the files one way at a time and expects the checks to say
 * so: a rule that silently stopped matching would otherwise pass forever.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTopology } from '../../src/host/topology.js';
import { application } from '../../src/application.js';
import { checkCompose, loadCompose, type ComposeFile, type ComposeService } from './compose.js';
import { checkDockerfile, loadDockerfile, loadDockerignore } from './dockerfile.js';
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
import { loadTarget, repoRoot, type Target } from './targets.js';

const targets = { monolith: loadTarget('monolith'), split: loadTarget('split') } as const;
const allTargets = Object.values(targets);

/** A deep copy that shares nothing, not even what YAML aliases made one object. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A topology like `target`'s with service `name` at `replicas`, to show the checks read the topology. */
const withReplicas = (target: Target, name: string, replicas: number): Target => {
  const text = readFileSync(join(repoRoot, target.topologyFile), 'utf8').replace(new RegExp(`(\\n  ${name}:\\n(?:    .*\\n)*?    replicas:) \\d+`), `$1 ${replicas}`);
  const topology = parseTopology(text, target.topologyFile, application.modules.map((module) => module.name));
  expect(topology.services.find((service) => service.name === name)?.replicas).toBe(replicas);
  return { ...target, topology };
};

interface Breakage<T> {
  readonly name: string;
  readonly target: keyof typeof targets;
  readonly mutate: (input: T) => void;
  readonly expected: RegExp;
}

// ---- Kubernetes -------------------------------------------------------------------------

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

// ---- Compose ----------------------------------------------------------------------------

const app = (compose: ComposeFile, name: string): ComposeService => compose.services![name]!;
const appEnv = (compose: ComposeFile, name: string) => app(compose, name).environment as Record<string, string>;

const composeBreakages: Breakage<ComposeFile>[] = [
  { name: 'a topology service missing', target: 'split', mutate: (c) => delete c.services!['orders'], expected: /service "orders": 0 compose services run it/ },
  { name: 'a service the topology does not have', target: 'split', mutate: (c) => (appEnv(c, 'orders')['SEAM_SERVICE'] = 'order'), expected: /compose service "orders" runs "order", which is no service/ },
  {
    name: 'a service under another name than DNS discovery looks up',
    target: 'split',
    mutate: (c) => {
      c.services!['ordering'] = app(c, 'orders');
      delete c.services!['orders'];
    },
    expected: /compose service "ordering": runs "orders" under another name/,
  },
  { name: 'catalog without its second replica', target: 'split', mutate: (c) => delete app(c, 'catalog').deploy, expected: /compose service "catalog": deploy.replicas 1, but .* asks for 2/ },
  { name: 'a service without a readiness healthcheck', target: 'split', mutate: (c) => delete app(c, 'payments').healthcheck, expected: /compose service "payments": no healthcheck on \/readyz/ },
  { name: 'the monolith checked for liveness only', target: 'monolith', mutate: (c) => (app(c, 'app').healthcheck!.test = ['CMD', 'curl', 'http://127.0.0.1:3000/healthz']), expected: /compose service "app": no healthcheck on \/readyz/ },
  { name: 'postgres without a healthcheck', target: 'monolith', mutate: (c) => delete app(c, 'postgres').healthcheck, expected: /compose service "postgres": no pg_isready healthcheck/ },
  { name: 'redis without a healthcheck', target: 'split', mutate: (c) => delete app(c, 'redis').healthcheck, expected: /compose service "redis": no redis-cli ping healthcheck/ },
  { name: 'no redis in the split', target: 'split', mutate: (c) => delete c.services!['redis'], expected: /no "redis" service/ },
  {
    name: 'starting before provisioning finished',
    target: 'split',
    mutate: (c) => ((app(c, 'identity').depends_on as Record<string, { condition: string }>)['db-provision'] = { condition: 'service_started' }),
    expected: /compose service "identity": depends on "db-provision" with service_started, expected service_completed_successfully/,
  },
  { name: 'not waiting for postgres', target: 'monolith', mutate: (c) => delete app(c, 'app').depends_on, expected: /compose service "app": depends on "postgres" with missing, expected service_healthy/ },
  { name: 'another Dockerfile', target: 'split', mutate: (c) => (app(c, 'gateway').build = { context: '..', dockerfile: 'Dockerfile' }), expected: /compose service "gateway": does not build deploy\/Dockerfile/ },
  { name: 'a module service published', target: 'split', mutate: (c) => (app(c, 'catalog').ports = ['3001:3000']), expected: /compose service "catalog": publishes a port/ },
  { name: 'the gateway not published', target: 'split', mutate: (c) => delete app(c, 'gateway').ports, expected: /compose service "gateway": is the gateway but does not publish port 3000/ },
  { name: 'the wrong SEAM_SERVICE in the monolith', target: 'monolith', mutate: (c) => delete appEnv(c, 'app')['SEAM_SERVICE'], expected: /service "shop": 0 compose services run it/ },
  { name: 'another service’s role', target: 'split', mutate: (c) => (appEnv(c, 'catalog')['DATABASE_URL'] = appEnv(c, 'orders')['DATABASE_URL']!), expected: /DATABASE_URL connects as "seam_orders"/ },
  { name: 'a database host that is not there', target: 'monolith', mutate: (c) => (appEnv(c, 'app')['DATABASE_URL'] = 'postgres://seam:change-me-postgres@db:5432/seam'), expected: /connects to host "db", which is no compose service/ },
  { name: 'a database postgres does not create', target: 'monolith', mutate: (c) => (appEnv(c, 'app')['DATABASE_URL'] = 'postgres://seam:change-me-postgres@postgres:5432/shop'), expected: /database "shop", but postgres creates "seam"/ },
  { name: 'a password postgres does not have', target: 'monolith', mutate: (c) => (appEnv(c, 'app')['DATABASE_URL'] = 'postgres://seam:other@postgres:5432/seam'), expected: /user or password differ from the postgres service/ },
  { name: 'services that do not share JWT_SECRET', target: 'split', mutate: (c) => (appEnv(c, 'identity')['JWT_SECRET'] = 'change-me-another-jwt-secret-of-32-characters'), expected: /JWT_SECRET differs between services/ },
  { name: 'no Redis for a service', target: 'split', mutate: (c) => delete appEnv(c, 'shipping')['REDIS_URL'], expected: /compose service "shipping": REDIS_URL is undefined/ },
  { name: 'a setting the process refuses', target: 'split', mutate: (c) => (appEnv(c, 'shipping')['SEAM_RPC_TIMEOUT_MS'] = 'soon'), expected: /compose service "shipping": the process would refuse this environment/ },
  { name: 'no provisioning', target: 'split', mutate: (c) => delete c.services!['db-provision'], expected: /no "db-provision" service/ },
  { name: 'provisioning running something else', target: 'split', mutate: (c) => (app(c, 'db-provision').command = 'node scripts/provision-database.ts'), expected: /compose service "db-provision": command/ },
  { name: 'provisioning before postgres is up', target: 'split', mutate: (c) => delete app(c, 'db-provision').depends_on, expected: /compose service "db-provision": does not wait for postgres/ },
  { name: 'provisioning without a superuser', target: 'split', mutate: (c) => delete appEnv(c, 'db-provision')['DATABASE_ADMIN_URL'], expected: /DATABASE_ADMIN_URL is undefined, expected a postgres:\/\/ URL/ },
  {
    name: 'provisioning a script that is not there',
    target: 'split',
    mutate: (c) => (app(c, 'db-provision').command = ['node', '--enable-source-maps', 'dist/scripts/provision.js']),
    expected: /compose service "db-provision": runs dist\/scripts\/provision.js, which the repository does not have \(no scripts\/provision.ts\)/,
  },
  {
    name: 'a service URL the provisioning script refuses',
    target: 'split',
    mutate: (c) => (appEnv(c, 'db-provision')['DATABASE_URL_ORDERS'] = 'postgres://seam_orders@postgres:5432/seam'),
    expected: /the provisioning script would refuse this environment:[\s\S]*DATABASE_URL_ORDERS/,
  },
  {
    name: 'a role not named after its service',
    target: 'split',
    mutate: (c) => {
      const url = 'postgres://orders:change-me-orders@postgres:5432/seam';
      appEnv(c, 'db-provision')['DATABASE_URL_ORDERS'] = url;
      appEnv(c, 'orders')['DATABASE_URL'] = url;
    },
    expected: /would create role "orders" for "orders", expected "seam_orders"/,
  },
  { name: 'provisioning with the wrong superuser password', target: 'split', mutate: (c) => (appEnv(c, 'db-provision')['DATABASE_ADMIN_URL'] = 'postgres://postgres:x@postgres:5432/seam'), expected: /db-provision" DATABASE_ADMIN_URL: user or password differ/ },
  {
    name: 'a role provisioned with another password than the service uses',
    target: 'split',
    mutate: (c) => (appEnv(c, 'db-provision')['DATABASE_URL_CATALOG'] = 'postgres://seam_catalog:change-me-other@postgres:5432/seam'),
    expected: /DATABASE_URL_CATALOG differs from the DATABASE_URL "catalog" connects with/,
  },
];

describe('compose files', () => {
  it.each(allTargets)('deploy/$name/compose.yaml matches its topology', (target) => {
    expect(checkCompose(loadCompose(target), target)).toEqual([]);
  });

  it('reads environment given as a list as well as a map', () => {
    const compose = copy(loadCompose(targets.monolith));
    app(compose, 'app').environment = Object.entries(appEnv(compose, 'app')).map(([key, value]) => `${key}=${value}`);
    expect(checkCompose(compose, targets.monolith)).toEqual([]);
  });

  it('follows the topology, not a copy of it: three catalog replicas there make two here wrong', () => {
    expect(checkCompose(loadCompose(targets.split), withReplicas(targets.split, 'catalog', 3))).toContainEqual(
      expect.stringMatching(/compose service "catalog": deploy.replicas 2, but .* asks for 3/),
    );
  });

  it.each(composeBreakages)('reports $name ($target)', ({ target, mutate, expected }) => {
    const compose = copy(loadCompose(targets[target]));
    mutate(compose);
    expect(checkCompose(compose, targets[target])).toContainEqual(expect.stringMatching(expected));
  });
});

// ---- Dockerfile -------------------------------------------------------------------------

interface TextBreakage {
  readonly name: string;
  readonly file: 'Dockerfile' | '.dockerignore';
  readonly from: RegExp;
  readonly to: string;
  readonly expected: RegExp;
}

const dockerBreakages: TextBreakage[] = [
  { name: 'a single stage', file: 'Dockerfile', from: /^FROM .* AS (deps|build)$/gm, to: '', expected: /1 FROM stage/ },
  { name: 'running as root', file: 'Dockerfile', from: /^USER node$/m, to: 'USER root', expected: /runs as root/ },
  { name: 'no USER', file: 'Dockerfile', from: /^USER node$/m, to: '', expected: /runs as root \(no USER\)/ },
  { name: 'dev dependencies installed', file: 'Dockerfile', from: /--omit=dev/, to: '', expected: /installs dev dependencies too/ },
  { name: 'a development image', file: 'Dockerfile', from: /NODE_ENV=production/, to: 'NODE_ENV=development', expected: /does not set NODE_ENV=production/ },
  { name: 'no EXPOSE', file: 'Dockerfile', from: /^EXPOSE 3000$/m, to: '', expected: /does not EXPOSE 3000/ },
  { name: 'no HEALTHCHECK', file: 'Dockerfile', from: /^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, to: '', expected: /no HEALTHCHECK/ },
  { name: 'a shell-form CMD', file: 'Dockerfile', from: /^CMD .*$/m, to: 'CMD npm start', expected: /CMD is npm start/ },
  { name: 'TypeScript run by tsx', file: 'Dockerfile', from: /^CMD .*$/m, to: 'CMD ["node", "--import", "tsx", "src/main.ts"]', expected: /CMD is \["node", "--import", "tsx", "src\/main.ts"\], expected/ },
  { name: 'TypeScript sources in the image', file: 'Dockerfile', from: /^COPY package.json \.\/$/m, to: 'COPY package.json ./\nCOPY src ./src', expected: /the runtime stage copies src, TypeScript source/ },
  { name: 'no build', file: 'Dockerfile', from: /^RUN npm run build$/m, to: '', expected: /no stage runs npm run build/ },
  { name: 'a build without typescript', file: 'Dockerfile', from: /^RUN npm ci --no-audit/m, to: 'RUN npm ci --omit=dev --no-audit', expected: /build stage "build" installs with --omit=dev/ },
  { name: 'no node_modules from the deps stage', file: 'Dockerfile', from: /^COPY --from=deps .*$/m, to: '', expected: /does not copy node_modules/ },
  { name: 'a topology left out of the image', file: 'Dockerfile', from: /^COPY deploy\/split\/topology.yaml .*$/m, to: '', expected: /deploy\/split\/topology.yaml is not copied to \/app\/deploy\/split\/topology.yaml/ },
  { name: 'another WORKDIR', file: 'Dockerfile', from: /^WORKDIR \/app$(?![\s\S]*^WORKDIR)/m, to: 'WORKDIR /srv', expected: /dist\/src is not copied to \/app\/dist\/src \(found \/srv\/dist\/src\)/ },
  { name: 'scripts left out (db-provision runs one)', file: 'Dockerfile', from: /^COPY --from=build \/app\/dist\/scripts .*$/m, to: '', expected: /dist\/scripts is not copied to \/app\/dist\/scripts/ },
  { name: 'scripts not compiled', file: 'Dockerfile', from: /^COPY scripts .*$/m, to: '', expected: /build stage "build" does not copy scripts/ },
  { name: 'a COPY of something the repository lacks', file: 'Dockerfile', from: /^COPY src \.\/src$/m, to: 'COPY lib ./src', expected: /COPY lib, which the repository does not have/ },
  { name: 'node_modules sent to the build', file: '.dockerignore', from: /^node_modules$/m, to: '', expected: /\.dockerignore: does not leave out node_modules/ },
  { name: 'a local build sent to the build', file: '.dockerignore', from: /^dist$/m, to: '', expected: /\.dockerignore: does not leave out dist/ },
  { name: 'a topology ignored', file: '.dockerignore', from: /^!deploy\/split\/topology.yaml$/m, to: '', expected: /COPY deploy\/split\/topology.yaml, which .dockerignore leaves out/ },
];

describe('deploy/Dockerfile and .dockerignore', () => {
  it('build a non-root, production-only image holding what the deployments point into', () => {
    expect(checkDockerfile(loadDockerfile(), loadDockerignore(), allTargets)).toEqual([]);
  });

  it.each(dockerBreakages)('report $name', ({ file, from, to, expected }) => {
    let dockerfile = loadDockerfile();
    let dockerignore = loadDockerignore();
    if (file === 'Dockerfile') {
      expect(dockerfile).toMatch(from);
      dockerfile = dockerfile.replace(from, to);
    } else {
      expect(dockerignore).toMatch(from);
      dockerignore = dockerignore.replace(from, to);
    }
    expect(checkDockerfile(dockerfile, dockerignore, allTargets)).toContainEqual(expect.stringMatching(expected));
  });
});
