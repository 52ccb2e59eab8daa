/**
 * @module Which role each service of a topology logs in as, read from the URLs the services
 * themselves get: `DATABASE_URL_<SERVICE>` (upper case, "-" as "_"), so the role, its
 * password and the service's DATABASE_URL come from one secret and cannot drift apart.
 */
import type { AnyModule } from '../kernel/module.js';
import type { ServiceLogin } from './database-roles.js';
import type { ServiceSpec, Topology } from './topology.js';

/** The variable holding service `service`'s database URL for the provisioning job. */
export const serviceUrlVariable = (service: string): string => `DATABASE_URL_${service.toUpperCase().replaceAll('-', '_')}`;

/** The PostgreSQL schemas of the modules `service` runs. */
export const schemasOf = (service: ServiceSpec, modules: readonly AnyModule[]): string[] =>
  service.modules.map((name) => modules.find((module) => module.name === name)?.schema ?? name);

/** Every service that runs modules, with the role and password from its URL in `env`. */
export const serviceLoginsFromEnv = (topology: Topology, modules: readonly AnyModule[], env: Record<string, string | undefined>): ServiceLogin[] => {
  const problems: string[] = [];
  const logins: ServiceLogin[] = [];
  for (const service of topology.services) {
    if (service.modules.length === 0) continue;
    const variable = serviceUrlVariable(service.name);
    const value = env[variable];
    if (value === undefined) {
      problems.push(`  ${variable}: expected the postgres:// URL service ${service.name} connects with, it is not set`);
      continue;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      problems.push(`  ${variable}: expected a postgres:// URL, got something else`);
      continue;
    }
    if (!url.username || !url.password) {
      problems.push(`  ${variable}: expected a URL with the service's role and password (postgres://role:password@host/db)`);
      continue;
    }
    logins.push({
      service: service.name,
      role: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      schemas: schemasOf(service, modules),
    });
  }
  if (problems.length > 0) throw new Error(`Cannot provision database roles:\n${problems.join('\n')}`);
  return logins;
};
