/**
 * @module `npm run seed`: migrates, then loads every module's sample data (idempotent).
 */
import { loadConfig } from '../kernel/config.js';
import { Lifecycle } from '../kernel/lifecycle.js';
import { createLogger } from '../kernel/logger.js';
import { startModules } from './start.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel });
const lifecycle = new Lifecycle(logger);
try {
  const { host } = await startModules(config, logger, lifecycle);
  const added = await host.seed({ onlyIfEmpty: false });
  logger.info({ added }, 'seed finished');
} finally {
  await lifecycle.stop('seed finished');
}
