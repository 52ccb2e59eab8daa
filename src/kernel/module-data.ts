/**
 * @module The modules' data: each module's schema migrated in dependency order, migrations
 * still pending (for readiness), and sample data loaded into modules that hold none, unless
 * other modules' data shows that theirs lives elsewhere.
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Database, type DatabaseHandle } from './database.js';
import { ConfigError } from './environment.js';
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

/**
 * Automatic seeding would make up data for a module whose data exists elsewhere (exit code 78:
 * the database the process was given is not the one that holds it).
 */
export class SeedRefusedError extends ConfigError {}

/**
 * Whether any table of `schema` (its migrations table aside) has a row: false when none does
 * or the schema does not exist, undefined when this login may not read every table (a service
 * of a split deployment sees only its own schemas), unless a table it can read has one.
 */
export const schemaHoldsData = async (db: Database, schema: string): Promise<boolean | undefined> => {
  const tables = await selectRows<{ name: string; readable: boolean }>(
    db,
    sql`select c.relname as name, has_schema_privilege(n.oid, 'USAGE') and has_table_privilege(c.oid, 'SELECT') as readable
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p') and c.relname <> '__migrations'
        order by c.relname`,
  );
  const readable = tables.filter((table) => table.readable);
  if (readable.length > 0) {
    const exists = readable.map((table) => sql`exists (select 1 from ${sql.identifier(schema)}.${sql.identifier(table.name)})`);
    const [row] = await selectRows<{ found: boolean }>(db, sql`select ${sql.join(exists, sql` or `)} as found`);
    if (row?.found === true) return true;
  }
  return readable.length === tables.length ? false : undefined;
};

/** The other modules whose data refers to `module`'s: they require its contract, or their seed does. */
const dependentsOf = (module: AnyModule, deployment: readonly AnyModule[]): AnyModule[] =>
  deployment.filter(
    (other) =>
      other.name !== module.name &&
      [...Object.values(other.requires), ...(other.seed?.requires ?? [])].some((contract) => contract.id === module.provides.id),
  );

/**
 * Why `module` (whose schema holds no data) must not be seeded, or undefined if it may be: a
 * module whose data refers to it already holds some (rows that point at records this module
 * once held), so its data was there once and lives elsewhere now (moved to another database)
 * or was lost. Made-up sample data would not match what refers to it. A fresh database holds
 * nothing anywhere, and a restart finds the module's own data, so neither is refused.
 */
export const seedRefusal = async (db: Database, module: AnyModule, deployment: readonly AnyModule[]): Promise<string | undefined> => {
  const holding: string[] = [];
  for (const dependent of dependentsOf(module, deployment)) {
    if ((await schemaHoldsData(db, dependent.schema)) === true) holding.push(dependent.name);
  }
  if (holding.length === 0) return undefined;
  const modules = holding.length === 1 ? `module ${holding[0]} holds` : `modules ${holding.join(', ')} hold`;
  return (
    `Refusing to load sample data into module ${module.name}: its schema "${module.schema}" holds no data, but ${modules} data that refers to it. ` +
    `Its data has most likely moved to another database, or was lost, and made-up data would not match. ` +
    `Point DATABASE_URL at the database that holds schema "${module.schema}"; to start ${module.name} over with sample data on purpose, run \`npm run seed\` with this service's settings.`
  );
};

/** Every module of `deployment` that has a seed, no data here, and data elsewhere (see seedRefusal), as one message; undefined if none. */
export const seedRefusals = async (db: Database, deployment: readonly AnyModule[]): Promise<string | undefined> => {
  const reasons: string[] = [];
  for (const module of deployment) {
    if (!module.seed || (await schemaHoldsData(db, module.schema)) !== false) continue;
    const reason = await seedRefusal(db, module, deployment);
    if (reason !== undefined) reasons.push(reason);
  }
  return reasons.length === 0 ? undefined : reasons.join('\n');
};

export interface SeedOptions {
  /**
   * Skip modules that already hold data, and refuse an empty one whose data lives elsewhere (a
   * start with SEAM_SEED=auto); else reload every seed as asked (`npm run seed`).
   */
  readonly onlyIfEmpty: boolean;
  /** Reaches other modules' contracts: a seed may stock what another module's seed created (those its `requires` declares). */
  readonly resolve: ContractResolver;
  /** Every module of the deployment, wherever it runs: whose data may refer to a module seeded here. Defaults to those seeded. */
  readonly deployment?: readonly AnyModule[];
  readonly logger: Logger;
}

/**
 * Loads the sample data of every module that has some, in the order given (seeds run after
 * every module has started); returns how many rows each module added.
 *
 * @throws SeedRefusedError when `onlyIfEmpty` and an empty module's data lives elsewhere.
 */
export const seedModules = async (database: DatabaseHandle, modules: readonly AnyModule[], options: SeedOptions): Promise<Record<string, number>> => {
  const added: Record<string, number> = {};
  for (const module of modules) {
    if (!module.seed) continue;
    if (options.onlyIfEmpty) {
      if (!(await module.seed.isEmpty(database.db))) continue;
      const refusal = await seedRefusal(database.db, module, options.deployment ?? modules);
      if (refusal !== undefined) throw new SeedRefusedError(refusal);
    }
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
