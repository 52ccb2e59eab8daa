/**
 * @module The entry point: `npm run dev`, `npm start`.
 */
import { ConfigError, loadConfig } from './kernel/config.js';
import { createLogger } from './kernel/logger.js';
import { startApp, topologyOf } from './app/start.js';
import { selectService, TopologyError } from './app/topology.js';

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

const main = async (): Promise<void> => {
  const config = loadConfig(process.env);
  // Named before anything starts, so every line says which service wrote it (`shop` in the monolith).
  const service = selectService(topologyOf(config), config.deployment.service);
  const logger = createLogger({ level: config.logLevel, base: { service: service.name } });
  const app = await startApp(config, logger);
  // The deadline starts at the signal, so it covers the drain delay (serving while load
  // balancers notice) plus SHUTDOWN_TIMEOUT_MS for in-flight work and stopping everything.
  app.lifecycle.exitOnSignals(config.drainDelayMs + config.shutdownTimeoutMs);
  const where = app.service.gateway ? { products: `${app.url}/api/v1/products` } : {};
  const operator = app.operatorUrl === undefined ? {} : { operatorUrl: app.operatorUrl };
  logger.info({ url: app.url, ...operator, instance: config.deployment.instanceId, modules: app.service.modules, ...where, env: config.env }, `Seam ${app.service.name} listening on ${app.url}`);
};

main().catch((error: unknown) => {
  const known = operatorMessage(error);
  console.error(known?.message ?? error);
  process.exit(known?.exitCode ?? 1);
});
