/**
 * @module The shop's configuration for the benchmark: production settings (contract
 * validation off, as in production), loopback only, quiet logs, no rate limits (one customer
 * places every order, and the plain shop it is compared with limits nothing either).
 */
import { randomUUID } from 'node:crypto';
import { loadConfig, type AppConfig } from '../../src/kernel/config.js';
import { createLogger } from '../../src/kernel/logger.js';
import { adminEmail, adminPassword } from './parameters.js';

/** The shop signs its access tokens with this; the plain shop verifies the same tokens with it. */
export const jwtSecret = randomUUID() + randomUUID();

export const benchLogger = createLogger({ level: 'error' });

/** `extra`: more variables, such as OTEL_EXPORTER_OTLP_ENDPOINT for an `--export` run. */
export const shopConfig = (databaseUrl: string, extra: Record<string, string> = {}): AppConfig =>
  loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: jwtSecret,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'error',
    RATE_LIMIT: 'off',
    SEAM_SEED: 'auto',
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: adminPassword,
    ...extra,
  });
