/**
 * @module `seam db migrate`: applies the pending migrations of the modules this database holds
 * for the configured service, as a service does when it starts, and stops.
 */
import type { Application } from '../../../src/host/application.js';
import { createLogger } from '../../../src/kernel/logger.js';
import { orderModules } from '../../../src/kernel/module-host.js';
import { migrateModules, pendingMigrations } from '../../../src/kernel/module-data.js';
import type { Project } from '../project.js';
import { databaseOf, describeDatabase, modulesHere, openCommandDatabase, type Env } from './database.js';

export interface Migrated {
  /** The database, as shown to the user. */
  readonly database: string;
  /** The modules migrated, in the order they were (dependency order). */
  readonly modules: readonly string[];
  /** How many migrations were applied. */
  readonly applied: number;
}

/** Migrates every module `modulesHere` names in `env`'s database, in dependency order. */
export const migrateDatabase = async (project: Project, application: Application, env: Env): Promise<Migrated> => {
  const here = modulesHere(project, application, env);
  // Contracts provided by modules kept elsewhere are remote: ordering does not wait for them.
  const elsewhere = new Set(application.modules.filter((module) => !here.includes(module)).map((module) => module.provides.id));
  const ordered = orderModules(here, elsewhere);
  const database = await openCommandDatabase(project, env);
  try {
    const applied = await pendingMigrations(database, ordered);
    await migrateModules(database, ordered, createLogger({ level: 'silent' }));
    return { database: describeDatabase(project, databaseOf(project, env)), modules: ordered.map((module) => module.name), applied };
  } finally {
    await database.close();
  }
};
