/**
 * @module What an application's entry point calls: `runService(application)` starts the
 * service of the topology this process is configured for, and exits with one line an operator
 * can act on when the configuration or the port is wrong. `seedAll` loads sample data.
 */
import { ConfigError, loadConfig } from '../kernel/config.js';
import { Lifecycle } from '../kernel/lifecycle.js';
import { createLogger } from '../kernel/logger.js';
import type { Application } from './application.js';
import { startApp, startModules, topologyOf } from './start.js';
import { selectService, TopologyError } from './topology.js';

/** What the operator must change, in one line, when the error is theirs to fix; else undefined. */
const operatorMessage = (error: unknown): { message: string; exitCode: number } | undefined => {
  // A topology or configuration that cannot run (a seed refusal included) is a ConfigError or a TopologyError.
  if (error instanceof TopologyError || error instanceof ConfigError) return { message: error.message, exitCode: 78 }; // EX_CONFIG
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const { address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'may not be bound by this user';
    return { message: `Port ${port} on ${address} ${why}: stop what listens there, or set PORT (and HOST) to another.`, exitCode: 1 };
  }
  return undefined;
};

const exitWith = (error: unknown): never => {
  const known = operatorMessage(error);
  console.error(known?.message ?? error);
  process.exit(known?.exitCode ?? 1);
};

const serve = async (application: Application): Promise<void> => {
  const config = loadConfig(process.env);
  // Named before anything starts, so every line says which service wrote it (the application's name in the monolith).
  const service = selectService(topologyOf(application, config), config.deployment.service);
  const logger = createLogger({ level: config.logLevel, base: { service: service.name } });
  const app = await startApp(application, config, logger);
  // The deadline starts at the signal, so it covers the drain delay (serving while load
  // balancers notice) plus SHUTDOWN_TIMEOUT_MS for in-flight work and stopping everything.
  app.lifecycle.exitOnSignals(config.drainDelayMs + config.shutdownTimeoutMs);
  const operator = app.operatorUrl === undefined ? {} : { operatorUrl: app.operatorUrl };
  const docs = app.service.gateway ? { docs: `${app.url}/docs` } : {};
  logger.info({ url: app.url, ...operator, instance: config.deployment.instanceId, modules: app.service.modules, ...docs, env: config.env }, `Seam ${app.service.name} listening on ${app.url}`);
};

/** Starts this process's service of `application`; on failure, prints why and exits. */
export const runService = (application: Application): Promise<void> => serve(application).catch(exitWith);

/** Migrates, then loads every module's sample data (idempotent), and stops. */
export const seedAll = async (application: Application): Promise<void> => {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  const lifecycle = new Lifecycle(logger);
  try {
    const { host } = await startModules(application, config, logger, lifecycle);
    const added = await host.seed({ onlyIfEmpty: false });
    logger.info({ added }, 'seed finished');
  } finally {
    await lifecycle.stop('seed finished');
  }
};
