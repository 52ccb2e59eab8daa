/**
 * The compose file of each deployment (deploy/<x>/compose.yaml) checked against the topology
 * it deploys: every service there, with its replicas, healthchecks, ports and environment,
 * and nothing that is not. Then a copy is broken one way at a time and the checks must say so.
 */
import { describe, expect, it } from 'vitest';
import { allTargets, copy, targets, withReplicas, type Breakage } from './breakages.js';
import { checkCompose, loadCompose, type ComposeFile, type ComposeService } from './compose.js';

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
