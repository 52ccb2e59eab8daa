/**
 * @module The modules' data: each module's schema migrated in dependency order, migrations
 * still pending (for readiness), and sample data loaded into modules that hold none.
 */
import type { DatabaseHandle } from './database.js';
import type { Logger } from './logger.js';
import type { AnyModule, ContractResolver, ModuleSeed } from './module.js';

/**
 * Applies every module's pending migrations, one module after another in the order given
 * (dependency order), each in its own schema with its own migrations table.
 */
export const migrateModules = async (database: DatabaseHandle, modules: readonly AnyModule[], logger: Logger): Promise<void> => {
  for (const module of modules) {
    await database.migrate({ folder: module.migrations, schema: module.schema });
    logger.debug({ module: module.name }, 'migrations applied');
  }
};

/** How many migrations are not applied yet, over all of `modules`. */
export const pendingMigrations = async (database: DatabaseHandle, modules: readonly AnyModule[]): Promise<number> => {
  const counts = await Promise.all(modules.map((module) => database.pendingMigrations({ folder: module.migrations, schema: module.schema })));
  return counts.reduce((sum, count) => sum + count, 0);
};

export interface SeedOptions {
  /** Skip modules that already hold data (a development start); else reload every seed (`npm run seed`). */
  readonly onlyIfEmpty: boolean;
  /** Reaches other modules' contracts: a seed may stock what another module's seed created (those its `requires` declares). */
  readonly resolve: ContractResolver;
  readonly logger: Logger;
}

/**
 * Loads the sample data of every module that has some, in the order given (seeds run after
 * every module has started); returns how many rows each module added.
 */
export const seedModules = async (database: DatabaseHandle, modules: readonly AnyModule[], options: SeedOptions): Promise<Record<string, number>> => {
  const added: Record<string, number> = {};
  for (const module of modules) {
    if (!module.seed) continue;
    if (options.onlyIfEmpty && !(await module.seed.isEmpty(database.db))) continue;
    added[module.name] = await module.seed.run(database.db, options.logger.child({ module: module.name }), declaredOnly(module.name, module.seed, options.resolve));
  }
  return added;
};

/**
 * `resolve`, limited to the contracts the seed declares in its `requires`: a split deployment
 * lets a service call only what its modules declare, so a seed using more would work in the
 * monolith and be refused once split. Refused everywhere instead, naming what is missing.
 */
const declaredOnly = (module: string, seed: ModuleSeed, resolve: ContractResolver): ContractResolver => {
  const declared = new Set((seed.requires ?? []).map((contract) => contract.id));
  return (contract) => {
    if (!declared.has(contract.id)) throw new Error(`The seed of module ${module} resolves ${contract.id} without declaring it in its requires`);
    return resolve(contract);
  };
};
