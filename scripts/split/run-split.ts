/**
 * @module Runs every service of a split topology as its own Node process on this machine,
 * against real PostgreSQL and Redis: the given ones, or throwaway servers started from the
 * binaries on PATH. Each service logs in as its own database role, provisioned first; before
 * that, preflight.ts refuses a gateway port in use and a database a fresh seed would contradict.
 *
 * Services start one after another, each once ready, in the modules' seeding order and
 * gateways last: a module's sample data may come from another module (inventory stocks the
 * catalog), which must be serving by then.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { provisionDatabaseRoles, type ServiceLogin } from '../../src/host/database-roles.js';
import type { Application } from '../../src/host/application.js';
import { schemasOf } from '../../src/host/service-logins.js';
import { databaseRoleOf, loadTopology, type Topology } from '../../src/host/topology.js';
import { createLogger, type Logger } from '../../src/kernel/logger.js';
import { projectRootOf, type EntryCommand } from '../entry-command.js';
import { freePort } from '../local-servers/child-process.js';
import { startPostgres } from '../local-servers/postgres-server.js';
import { startRedis } from '../local-servers/redis-server.js';
import { assertNothingReseeded, assertPortFree } from './preflight.js';
import { ServiceProcess } from './service-process.js';

// From the project root, not this file: compiled, this file sits one dist/ deeper.
export const defaultSplitTopology = join(projectRootOf(import.meta.dirname), 'deploy', 'split', 'topology.yaml');

export interface SplitOptions {
  /** The application whose services run. */
  readonly application: Application;
  /** How to run its entry point (`projectEntry` in scripts/entry-command.ts); the shop's src/main when absent. */
  readonly entry?: EntryCommand;
  readonly topologyPath?: string;
  /** A superuser (or CREATEROLE) URL; unset starts a throwaway PostgreSQL. */
  readonly databaseUrl?: string;
  /** Unset starts a throwaway redis-server. */
  readonly redisUrl?: string;
  /** Where the gateway listens (refused at once if taken); unset or 0 picks a free port. */
  readonly gatewayPort?: number;
  /** Extra environment for every service (LOG_LEVEL, ADMIN_PASSWORD, CHECKOUT_*, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives every service's output lines, prefixed; unset keeps them quiet. */
  readonly echo?: (line: string) => void;
  readonly logger?: Logger;
}

export interface RunningSplit {
  readonly topology: Topology;
  readonly gatewayUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Every instance, in start order. */
  readonly instances: readonly ServiceProcess[];
  /** Instance `replica` (from 0) of `service`. */
  instance(service: string, replica?: number): ServiceProcess;
  /** Each service's own database URL, as it connects. */
  readonly serviceDatabaseUrls: Readonly<Record<string, string>>;
  /** What every service got in its environment (secrets included: this is a local run). */
  readonly sharedEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * Services in the order their modules come in `application.modules` (which is seeding order: inventory
 * stocks the catalog's products, so the service running catalog must serve first); services
 * that run no module (gateways) last.
 */
const startOrder = (topology: Topology, application: Application) => {
  const rank = (modules: readonly string[]): number =>
    modules.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...modules.map((module) => application.modules.findIndex((candidate) => candidate.name === module)));
  return [...topology.services].sort((a, b) => rank(a.modules) - rank(b.modules));
};

/** Whether services started with `env` (over the runner's NODE_ENV=development) seed empty modules, as src/kernel/config.ts decides. */
const seedsOnStart = (env: Readonly<Record<string, string>>): boolean =>
  (env['SEAM_SEED'] ?? ((env['NODE_ENV'] ?? 'development') === 'development' ? 'auto' : 'off')) === 'auto';

/** `url` with the login replaced by `role`/`password`. */
const asRole = (url: string, role: string, password: string): string => {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = password;
  return parsed.toString();
};

export const startSplit = async (options: SplitOptions): Promise<RunningSplit> => {
  const { application } = options;
  const logger = options.logger ?? createLogger({ level: 'info' });
  const topology = loadTopology(options.topologyPath ?? defaultSplitTopology, application.modules.map((module) => module.name));
  const gatewayService = topology.services.find((service) => service.gateway);
  if (!gatewayService) throw new Error(`Topology ${topology.source} has no gateway service`);
  if (options.gatewayPort) await assertPortFree('127.0.0.1', options.gatewayPort, gatewayService.name);
  const cleanups: (() => Promise<void>)[] = [];
  const instances: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    // Gateways first, then the rest in reverse start order, then the servers.
    for (const instance of [...instances].reverse()) await instance.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    /** `given`, or the URL of a throwaway server this run starts and stops. */
    const givenOrThrowaway = async (given: string | undefined, what: string, start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<string> => {
      if (given !== undefined) return given;
      const server = await start();
      cleanups.push(() => server.stop());
      logger.info({ url: server.url }, `throwaway ${what} started`);
      return server.url;
    };
    // Before anything starts or changes ownership; a throwaway database is empty anyway.
    if (options.databaseUrl !== undefined && seedsOnStart(options.env ?? {})) await assertNothingReseeded(options.databaseUrl, application.modules);
    const databaseUrl = await givenOrThrowaway(options.databaseUrl, 'PostgreSQL', () => startPostgres());
    const redisUrl = await givenOrThrowaway(options.redisUrl, 'Redis', startRedis);

    const logins: ServiceLogin[] = topology.services
      .filter((service) => service.modules.length > 0)
      .map((service) => ({
        service: service.name,
        role: databaseRoleOf(service.name),
        password: randomBytes(18).toString('base64url'),
        schemas: schemasOf(service, application.modules),
      }));
    await provisionDatabaseRoles(databaseUrl, logins, logger);
    const serviceDatabaseUrls = Object.fromEntries(logins.map((login) => [login.service, asRole(databaseUrl, login.role, login.password)]));

    const shared = {
      NODE_ENV: 'development',
      SEAM_TOPOLOGY: topology.source,
      REDIS_URL: redisUrl,
      SEAM_DISCOVERY: 'redis',
      SEAM_SERVICE_SECRET: randomBytes(32).toString('base64url'),
      JWT_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'info',
      ...options.env,
    };
    const ordered = startOrder(topology, application);
    for (const service of ordered) {
      const ports = await Promise.all(
        Array.from({ length: service.replicas }, (_, replica) => (service.name === gatewayService.name && replica === 0 && options.gatewayPort ? options.gatewayPort : freePort())),
      );
      const replicas = ports.map((port, replica) => {
        const database = serviceDatabaseUrls[service.name];
        return new ServiceProcess({
          service: service.name,
          replica,
          port,
          env: { ...shared, SEAM_SERVICE: service.name, ...(database === undefined ? {} : { DATABASE_URL: database }) },
          ...(options.echo ? { echo: options.echo } : {}),
          ...(options.entry ? { entry: options.entry } : {}),
        });
      });
      instances.push(...replicas);
      // Replicas of one service start together; the first also runs the migrations, under a lock.
      await Promise.all(replicas.map((instance) => instance.start()));
      logger.info({ service: service.name, urls: replicas.map((instance) => instance.url) }, 'service ready');
    }
    const gateway = instances.find((instance) => instance.spec.service === gatewayService.name);
    if (!gateway) throw new Error(`No instance of the gateway service ${gatewayService.name} started`);
    return {
      topology,
      gatewayUrl: gateway.url,
      databaseUrl,
      redisUrl,
      instances,
      serviceDatabaseUrls,
      sharedEnv: shared,
      instance: (service, replica = 0) => {
        const found = instances.find((instance) => instance.spec.service === service && instance.spec.replica === replica);
        if (!found) throw new Error(`No instance ${service}#${replica}`);
        return found;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
