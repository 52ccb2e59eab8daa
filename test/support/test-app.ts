/**
 * @module Starts the whole shop in this process on a free port, for journey tests.
 */
import { application } from '../../src/application.js';
import { loadConfig } from '../../src/kernel/config.js';
import { createLogger, type Logger } from '../../src/kernel/logger.js';
import { startApp, type RunningApp } from '../../src/host/start.js';

/** Starts the app with test defaults (in-memory PGlite, port 0, seeded) overridden by `env`; `logger` to read its lines. */
export const startTestApp = (env: Record<string, string> = {}, logger?: Logger): Promise<RunningApp> => {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    PGLITE_DIR: 'memory://',
    SEAM_SEED: 'auto',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...env,
  });
  return startApp(application, config, logger ?? createLogger({ level: config.logLevel }));
};

/** A JSON GET against the running app, keeping status and headers for assertions. */
export const getJson = async <T = unknown>(app: RunningApp, path: string): Promise<{ status: number; headers: Headers; body: T }> => {
  const response = await fetch(`${app.url}${path}`);
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
};
