/**
 * @module The entry point: `npm run dev`, `npm start`.
 */
import { ConfigError, loadConfig } from './kernel/config.js';
import { createLogger } from './kernel/logger.js';
import { startApp } from './app/start.js';

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
  const logger = createLogger({ level: config.logLevel, base: { service: 'seam' } });
  const app = await startApp(config, logger);
  app.lifecycle.exitOnSignals(config.shutdownTimeoutMs);
  logger.info({ url: app.url, products: `${app.url}/api/v1/products`, env: config.env }, `Seam listening on ${app.url}`);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
