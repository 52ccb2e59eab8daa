/**
 * @module What every service process must find in its environment, whichever file (a
 * Kubernetes Deployment or a compose service) sets it. The same rules for both, so the two
 * ways of deploying cannot drift apart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { application } from '../../src/application.js';
import { serviceLoginsFromEnv, serviceUrlVariable } from '../../src/host/service-logins.js';
import { databaseRoleOf, type ServiceSpec } from '../../src/host/topology.js';
import { loadConfig } from '../../src/kernel/config.js';
import { imageRoot, provisionCommand, repoRoot, servicePort, type Target } from './targets.js';

/** A process environment as resolved from a deployment file; unresolvable references are left out. */
export type Env = Readonly<Record<string, string>>;

const minSecretLength = 32;

const userOf = (url: string): string | undefined => {
  try {
    return decodeURIComponent(new URL(url).username);
  } catch {
    return undefined;
  }
};

/** Problems with one service's environment; `where` prefixes each message. */
export const checkServiceEnv = (where: string, env: Env, service: ServiceSpec, target: Target, dnsName: string): string[] => {
  const problems: string[] = [];
  const expect = (variable: string, expected: string): void => {
    if (env[variable] !== expected) problems.push(`${where}: ${variable} is ${JSON.stringify(env[variable])}, expected ${JSON.stringify(expected)}`);
  };
  const secret = (variable: string): void => {
    const value = env[variable];
    if (value === undefined) problems.push(`${where}: ${variable} is not set`);
    else if (value.length < minSecretLength) problems.push(`${where}: ${variable} has ${value.length} characters, at least ${minSecretLength} needed`);
  };

  expect('NODE_ENV', 'production');
  expect('HOST', '0.0.0.0');
  expect('PORT', String(servicePort));
  expect('SEAM_SERVICE', service.name);
  expect('SEAM_TOPOLOGY', `${imageRoot}/${target.topologyFile}`);
  const topologyPath = env['SEAM_TOPOLOGY'];
  if (topologyPath?.startsWith(`${imageRoot}/`) && !existsSync(join(repoRoot, topologyPath.slice(imageRoot.length + 1)))) {
    problems.push(`${where}: SEAM_TOPOLOGY ${topologyPath} is not a file of the repository, so not in the image`);
  }
  secret('JWT_SECRET');

  const databaseUrl = env['DATABASE_URL'];
  if (!target.split) {
    if (databaseUrl === undefined) problems.push(`${where}: DATABASE_URL is not set (without it the process uses embedded PGlite)`);
  } else if (service.modules.length === 0) {
    if (databaseUrl !== undefined) problems.push(`${where}: DATABASE_URL is set, but "${service.name}" runs no module and needs no database`);
  } else if (databaseUrl === undefined) {
    problems.push(`${where}: DATABASE_URL is not set`);
  } else if (userOf(databaseUrl) !== databaseRoleOf(service.name)) {
    problems.push(`${where}: DATABASE_URL connects as "${userOf(databaseUrl)}", expected the service's own role "${databaseRoleOf(service.name)}"`);
  }

  if (target.split) {
    if (!/^rediss?:\/\/\S+$/.test(env['REDIS_URL'] ?? '')) problems.push(`${where}: REDIS_URL is ${JSON.stringify(env['REDIS_URL'])}, expected a redis:// URL`);
    secret('SEAM_SERVICE_SECRET');
    expect('SEAM_DISCOVERY', 'dns');
    expect('SEAM_DNS_NAME', dnsName);
    expect('SEAM_DNS_PORT', String(servicePort));
  }

  try {
    loadConfig(env);
  } catch (error) {
    problems.push(`${where}: the process would refuse this environment: ${error instanceof Error ? error.message : String(error)}`);
  }
  return problems;
};

/** Secrets every service of a deployment must share: tokens and credentials one signs, the others check. */
export const checkSharedSecrets = (envs: ReadonlyMap<string, Env>): string[] => {
  const problems: string[] = [];
  for (const variable of ['JWT_SECRET', 'SEAM_SERVICE_SECRET']) {
    const values = new Set([...envs.values()].map((env) => env[variable]).filter((value) => value !== undefined));
    if (values.size > 1) problems.push(`${variable} differs between services (${[...envs.keys()].join(', ')}); all must share one value`);
  }
  return problems;
};

/**
 * The provisioning run's command and environment: it must create every module-running
 * service's role with the very URL that service connects with (`envs`, by service name).
 */
export const checkProvisioning = (where: string, command: unknown, env: Env, envs: ReadonlyMap<string, Env>, target: Target): string[] => {
  const problems: string[] = [];
  if (JSON.stringify(command) !== JSON.stringify(provisionCommand)) problems.push(`${where}: command ${JSON.stringify(command)}, expected ${JSON.stringify(provisionCommand)}`);
  const script = Array.isArray(command) ? String(command.at(-1)) : undefined;
  // The image runs a compiled script, dist/<path>.js; the repository holds its source, <path>.ts.
  const source = script?.replace(/^dist\/(.*)\.js$/, '$1.ts');
  if (script !== undefined && source !== undefined && !existsSync(join(repoRoot, source))) problems.push(`${where}: runs ${script}, which the repository does not have${source === script ? '' : ` (no ${source})`}`);
  if (env['SEAM_TOPOLOGY'] !== `${imageRoot}/${target.topologyFile}`) problems.push(`${where}: SEAM_TOPOLOGY is ${JSON.stringify(env['SEAM_TOPOLOGY'])}, expected ${imageRoot}/${target.topologyFile}`);
  if (!/^postgres(ql)?:\/\/\S+$/.test(env['DATABASE_ADMIN_URL'] ?? '')) problems.push(`${where}: DATABASE_ADMIN_URL is ${JSON.stringify(env['DATABASE_ADMIN_URL'])}, expected a postgres:// URL`);
  for (const service of target.topology.services.filter((candidate) => candidate.modules.length > 0)) {
    const key = serviceUrlVariable(service.name);
    if (env[key] === undefined) problems.push(`${where}: ${key} is not set, so the role of "${service.name}" is not created`);
    else if (envs.has(service.name) && envs.get(service.name)?.['DATABASE_URL'] !== env[key]) problems.push(`${where}: ${key} differs from the DATABASE_URL "${service.name}" connects with`);
  }
  // What the provisioning script itself would make of this environment.
  try {
    for (const login of serviceLoginsFromEnv(target.topology, application.modules, env)) {
      if (login.role !== databaseRoleOf(login.service)) problems.push(`${where}: would create role "${login.role}" for "${login.service}", expected "${databaseRoleOf(login.service)}"`);
    }
  } catch (error) {
    problems.push(`${where}: the provisioning script would refuse this environment: ${error instanceof Error ? error.message : String(error)}`);
  }
  return problems;
};
