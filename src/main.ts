/**
 * @module The entry point: `npm run dev`, `npm start`.
 */
import { ConfigError, loadConfig } from './kernel/config.js';
import { createLogger } from './kernel/logger.js';
import { startApp } from './app/start.js';
import { TopologyError } from './app/topology.js';

const main = async (): Promise<void> => {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, base: { service: config.deployment.service ?? 'seam' } });
  const app = await startApp(config, logger);
  // The deadline starts at the signal, so it covers the drain delay (serving while load
  // balancers notice) plus SHUTDOWN_TIMEOUT_MS for in-flight work and stopping everything.
  app.lifecycle.exitOnSignals(config.drainDelayMs + config.shutdownTimeoutMs);
  const where = app.service.gateway ? { products: `${app.url}/api/v1/products` } : {};
  const operator = app.operatorUrl === undefined ? {} : { operatorUrl: app.operatorUrl };
  logger.info({ url: app.url, ...operator, service: app.service.name, modules: app.service.modules, ...where, env: config.env }, `Seam ${app.service.name} listening on ${app.url}`);
};

main().catch((error: unknown) => {
  // A topology or configuration that cannot run is the operator's to fix: say so plainly.
  if (error instanceof TopologyError || error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(error);
  process.exit(1);
});
