/**
 * @module Checks a compose file against its deployment's topology. Like the Kubernetes
 * checks, `checkCompose` returns every problem as a sentence.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { checkProvisioning, checkServiceEnv, checkSharedSecrets, type Env } from './environment.js';
import { repoRoot, servicePort, type Target } from './targets.js';

type Condition = 'service_healthy' | 'service_completed_successfully' | 'service_started';

// Only the fields the checks read; everything is optional because the input is checked, not trusted.
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: Condition }>;
  ports?: (string | number | { target?: number; published?: number | string })[];
  deploy?: { replicas?: number };
}
export interface ComposeFile { services?: Record<string, ComposeService> }

export const composePath = (target: Target): string => join(repoRoot, target.dir, 'compose.yaml');

/** Parses the compose file with merge keys (`<<: *anchor`), as compose reads it. */
export const loadCompose = (target: Target): ComposeFile => parse(readFileSync(composePath(target), 'utf8'), { merge: true }) as ComposeFile;

/** A service's environment as the process sees it: list or map form, values as strings. */
const envOf = (service: ComposeService): Env => {
  // A variable without a value ("KEY" or "KEY:") is taken from the host's environment: not set here.
  const entries = Array.isArray(service.environment)
    ? service.environment.filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    : Object.entries(service.environment ?? {}).filter(([, value]) => value !== null).map(([key, value]) => [key, String(value)]);
  return Object.fromEntries(entries);
};

const healthcheckText = (service: ComposeService): string | undefined =>
  service.healthcheck && !service.healthcheck.disable ? [service.healthcheck.test ?? []].flat().join(' ') : undefined;

const conditionOf = (service: ComposeService, dependency: string): Condition | 'missing' => {
  const dependsOn = service.depends_on ?? [];
  if (Array.isArray(dependsOn)) return dependsOn.includes(dependency) ? 'service_started' : 'missing';
  const entry = dependsOn[dependency];
  return entry === undefined ? 'missing' : (entry.condition ?? 'service_started');
};

/** Container ports a service publishes on the host. */
const publishedTargets = (service: ComposeService): number[] =>
  (service.ports ?? []).map((port) => (typeof port === 'object' ? Number(port.target) : Number(String(port).split(':').at(-1)?.split('/')[0])));

const credentialsOf = (url: string | undefined): { user: string; password: string; host: string; database: string } | undefined => {
  try {
    const parsed = new URL(url ?? '');
    return { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password), host: parsed.hostname, database: parsed.pathname.slice(1) };
  } catch {
    return undefined;
  }
};

/** Every problem with `compose` as the compose file for `target`. */
export const checkCompose = (compose: ComposeFile, target: Target): string[] => {
  const problems: string[] = [];
  const services = compose.services ?? {};
  // An application service is one that runs a topology service: it says which in SEAM_SERVICE.
  const apps = Object.entries(services).filter(([, service]) => envOf(service)['SEAM_SERVICE'] !== undefined);
  const names = new Set(target.topology.services.map((service) => service.name));
  for (const [key, service] of apps) {
    const name = envOf(service)['SEAM_SERVICE'] ?? '';
    if (!names.has(name)) problems.push(`compose service "${key}" runs "${name}", which is no service of ${target.topologyFile}`);
  }

  const postgres = services['postgres'];
  if (!postgres) problems.push('no "postgres" service');
  else if (!healthcheckText(postgres)?.includes('pg_isready')) problems.push('compose service "postgres": no pg_isready healthcheck');
  const redis = services['redis'];
  if (target.split && !redis) problems.push('no "redis" service');
  if (redis && !healthcheckText(redis)?.includes('redis-cli ping')) problems.push('compose service "redis": no redis-cli ping healthcheck');

  // What each application service waits for before it starts.
  const dependencies: Record<string, Condition> = target.split
    ? { postgres: 'service_healthy', redis: 'service_healthy', 'db-provision': 'service_completed_successfully' }
    : { postgres: 'service_healthy' };

  const envs = new Map<string, Env>();
  for (const service of target.topology.services) {
    const matching = apps.filter(([, candidate]) => envOf(candidate)['SEAM_SERVICE'] === service.name);
    if (matching.length !== 1) {
      problems.push(`service "${service.name}": ${matching.length} compose services run it, expected exactly one`);
      continue;
    }
    const [key, app] = matching[0] as [string, ComposeService];
    const where = `compose service "${key}"`;
    // With DNS discovery the compose service name is the name the others look up.
    if (target.split && key !== service.name) problems.push(`${where}: runs "${service.name}" under another name, so DNS discovery cannot find it`);
    const replicas = app.deploy?.replicas ?? 1;
    if (replicas !== service.replicas) problems.push(`${where}: deploy.replicas ${replicas}, but ${target.topologyFile} asks for ${service.replicas}`);
    if (!healthcheckText(app)?.includes('/readyz')) problems.push(`${where}: no healthcheck on /readyz`);
    for (const [dependency, condition] of Object.entries(dependencies)) {
      const actual = conditionOf(app, dependency);
      if (actual !== condition) problems.push(`${where}: depends on "${dependency}" with ${actual}, expected ${condition}`);
    }
    const build = typeof app.build === 'string' ? { context: app.build } : app.build;
    if (resolve(join(repoRoot, target.dir), build?.context ?? '.') !== repoRoot || build?.dockerfile !== 'deploy/Dockerfile') {
      problems.push(`${where}: does not build deploy/Dockerfile from the repository root`);
    }
    const published = publishedTargets(app);
    if (service.gateway && !published.includes(servicePort)) problems.push(`${where}: is the gateway but does not publish port ${servicePort}`);
    if (!service.gateway && published.length > 0) problems.push(`${where}: publishes a port, but only the gateway is reachable from outside`);
    const env = envOf(app);
    problems.push(...checkServiceEnv(where, env, service, target, '{service}'));
    envs.set(service.name, env);
    for (const url of [env['DATABASE_URL'], env['REDIS_URL']]) {
      const host = credentialsOf(url)?.host;
      if (host !== undefined && services[host] === undefined) problems.push(`${where}: connects to host "${host}", which is no compose service`);
    }
  }
  problems.push(...checkSharedSecrets(envs));

  // The database the services connect to is the one the postgres container creates.
  const postgresEnv = postgres ? envOf(postgres) : {};
  const superuser = { user: postgresEnv['POSTGRES_USER'] ?? 'postgres', password: postgresEnv['POSTGRES_PASSWORD'] };
  const database = postgresEnv['POSTGRES_DB'] ?? superuser.user;
  const checkCreatedBy = (where: string, url: string | undefined, user: { user: string; password: string | undefined } | undefined): void => {
    const credentials = credentialsOf(url);
    if (credentials === undefined) return;
    if (credentials.database !== database) problems.push(`${where}: database "${credentials.database}", but postgres creates "${database}"`);
    if (user && (credentials.user !== user.user || credentials.password !== user.password)) {
      problems.push(`${where}: user or password differ from the postgres service's POSTGRES_USER/POSTGRES_PASSWORD`);
    }
  };
  for (const [name, env] of envs) checkCreatedBy(`service "${name}" DATABASE_URL`, env['DATABASE_URL'], target.split ? undefined : superuser);

  if (target.split) {
    const provision = services['db-provision'];
    if (!provision) {
      problems.push('no "db-provision" service');
    } else {
      const where = 'compose service "db-provision"';
      const env = envOf(provision);
      problems.push(...checkProvisioning(where, provision.command, env, envs, target));
      if (conditionOf(provision, 'postgres') !== 'service_healthy') problems.push(`${where}: does not wait for postgres to be healthy`);
      checkCreatedBy(`${where} DATABASE_ADMIN_URL`, env['DATABASE_ADMIN_URL'], superuser);
    }
  }
  return problems;
};
