/**
 * @module Starts the shop in one process: database, modules, gateway, HTTP server.
 *
 * This is the composition root: the only code that knows every module and every transport.
 */
import { accessTokens } from '../kernel/access-token.js';
import { type AppConfig } from '../kernel/config.js';
import type { AnyContract } from '../kernel/contract.js';
import { openDatabase, type DatabaseHandle } from '../kernel/database.js';
import { Lifecycle } from '../kernel/lifecycle.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { ModuleHost } from '../kernel/module-host.js';
import { createGateway } from '../gateway/app.js';
import type { ReadinessReport } from '../gateway/health.routes.js';
import { inProcessBinder } from '../transport/in-process.js';
import { listen } from './http-server.js';
import { allModules } from './modules.js';

export interface RunningApp {
  readonly url: string;
  readonly host: ModuleHost;
  readonly database: DatabaseHandle;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  stop(): Promise<void>;
}

const readinessOf = (database: DatabaseHandle, host: ModuleHost) => async (): Promise<ReadinessReport> => {
  try {
    await database.ping();
  } catch {
    return { ready: false, checks: { database: 'unreachable', migrations: 'unknown' } };
  }
  const pending = await host.pendingMigrations();
  return {
    ready: pending === 0,
    checks: { database: 'ok', migrations: pending === 0 ? 'ok' : `${pending} pending` },
  };
};

/** Opens the database and migrates, builds and wires every module, without serving HTTP. */
export const startModules = async (config: AppConfig, logger: Logger, lifecycle: Lifecycle) => {
  const database = await openDatabase(config.database);
  lifecycle.onStop('database', () => database.close());
  logger.info({ driver: database.driver }, 'database open');
  const host = new ModuleHost({ database, logger, config, bind: inProcessBinder({ validate: config.validateContracts }) });
  lifecycle.onStop('modules', () => host.stop());
  await host.start(allModules);
  return { database, host };
};

/** Starts everything and serves HTTP on `config.host:config.port`. */
export const startApp = async (config: AppConfig, logger: Logger = createLogger({ level: config.logLevel })): Promise<RunningApp> => {
  const lifecycle = new Lifecycle(logger);
  try {
    const { database, host } = await startModules(config, logger, lifecycle);
    if (config.auth.jwtSecretGenerated) {
      logger.warn('JWT_SECRET is not set: using a random secret for this process; tokens will not survive a restart');
    }
    if (config.seedWhenEmpty) {
      const added = await host.seed({ onlyIfEmpty: true });
      if (Object.keys(added).length > 0) logger.info({ added }, 'empty database seeded with sample data');
    }
    const contracts: AnyContract[] = host.modules.map((module) => module.provides);
    const gateway = createGateway({
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      readiness: readinessOf(database, host),
      contracts,
      resolve: (contract) => host.api(contract),
      tokens: accessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds),
    });
    const server = await listen(gateway.fetch, config.host, config.port);
    lifecycle.onStop('http', () => server.close());
    return { url: server.url, host, database, lifecycle, logger, stop: () => lifecycle.stop('stop requested') };
  } catch (error) {
    await lifecycle.stop('start failed');
    throw error;
  }
};
