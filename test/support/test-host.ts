/**
 * @module Runs a chosen set of modules in a ModuleHost on a given database, without HTTP:
 * for module tests that go through the real contract binding.
 */
import { loadConfig } from '../../src/kernel/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/kernel/database.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { AnyModule } from '../../src/kernel/module.js';
import { ModuleHost, type ModuleHostOptions } from '../../src/kernel/module-host.js';
import { inProcessBinder } from '../../src/transport/in-process.js';

export interface TestHost {
  readonly host: ModuleHost;
  readonly database: DatabaseHandle;
  stop(): Promise<void>;
}

/** Starts `modules` on the database `env` names (DATABASE_URL, or in-memory PGlite). */
export const startTestHost = async (
  modules: readonly AnyModule[],
  env: Record<string, string> = {},
  options: Pick<ModuleHostOptions, 'relay' | 'allModules' | 'deliverRemote'> = {},
): Promise<TestHost> => {
  const config = loadConfig({ NODE_ENV: 'test', PGLITE_DIR: 'memory://', ...env });
  const database = await openDatabase(config.database);
  const host = new ModuleHost({
    database,
    config,
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
    bind: inProcessBinder({ validate: true }),
    ...options,
  });
  try {
    await host.start(modules);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    host,
    database,
    async stop() {
      await host.stop();
      await database.close();
    },
  };
};
