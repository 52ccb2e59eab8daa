/**
 * @module `seam db provision`: creates or updates the PostgreSQL role of every service of a
 * topology and hands each its modules' schemas (idempotent: run it before every deploy). The
 * admin connection is DATABASE_ADMIN_URL; each service's role and password come from the URL
 * that service itself gets, DATABASE_URL_<SERVICE>. One JSON line per role on stdout.
 */
import { resolve } from 'node:path';
import type { Application } from '../../../src/host/application.js';
import { provisionDatabaseRoles } from '../../../src/host/database-roles.js';
import { serviceLoginsFromEnv } from '../../../src/host/service-logins.js';
import { loadTopology, monolithTopology } from '../../../src/host/topology.js';
import { createLogger, type Logger } from '../../../src/kernel/logger.js';
import { CliFailure } from '../cli-errors.js';
import type { Env } from './database.js';

export interface ProvisionOptions {
  /** The topology file; the built-in monolith (one service named after the application) without one. */
  readonly topology?: string;
  /** Where DATABASE_ADMIN_URL and the services' DATABASE_URL_<SERVICE> are read. */
  readonly env: Env;
  readonly logger?: Logger;
}

/** Provisions every service's role; returns the roles, in topology order. */
export const provisionDatabase = async (application: Application, options: ProvisionOptions): Promise<string[]> => {
  const adminUrl = options.env['DATABASE_ADMIN_URL'];
  if (!adminUrl) throw new CliFailure('DATABASE_ADMIN_URL is not set: set it to a superuser (or CREATEROLE) connection, e.g. postgres://postgres@db/seam', 78);
  const names = application.modules.map((module) => module.name);
  const topology = options.topology === undefined ? monolithTopology(names, application.name) : loadTopology(resolve(options.topology), names);
  const logins = serviceLoginsFromEnv(topology, application.modules, options.env);
  await provisionDatabaseRoles(adminUrl, logins, options.logger ?? createLogger({ level: 'info' }));
  return logins.map((login) => login.role);
};
