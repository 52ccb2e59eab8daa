/**
 * @module A further ModuleHost on a database another host already uses: a second replica of
 * the same deployment, or the same process after a restart. Works on PGlite in memory too,
 * since both hosts share the one open handle.
 */
import { loadConfig } from '../../src/kernel/config.js';
import type { DatabaseHandle } from '../../src/kernel/database.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { AnyModule } from '../../src/kernel/module.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import { inProcessBinder } from '../../src/transport/in-process.js';

export interface HostOnDatabase {
  readonly host: ModuleHost;
  /** Stops the host's background work; leaves the database open for its owner to close. */
  stop(): Promise<void>;
}

/** Starts `modules` on `database` with the configuration `env` describes (database settings in it are ignored). */
export const startHostOn = async (database: DatabaseHandle, modules: readonly AnyModule[], env: Record<string, string> = {}): Promise<HostOnDatabase> => {
  const config = loadConfig({ NODE_ENV: 'test', PGLITE_DIR: 'memory://', ...env });
  const host = new ModuleHost({
    database,
    config,
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
    bind: inProcessBinder({ validate: true }),
  });
  await host.start(modules);
  return { host, stop: () => host.stop() };
};
