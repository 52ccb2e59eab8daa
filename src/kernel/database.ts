/**
 * @module The database: drizzle over postgres.js when a server is configured, over embedded
 * PGlite otherwise, behind one handle.
 *
 * Modules see only `Database` (drizzle's driver-neutral PostgreSQL API), so the same module
 * code runs on a laptop with nothing installed and in production on a real server.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { readMigrationFiles, type MigrationConfig } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { DatabaseConfig } from './config.js';

/** The query API modules use, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** Where a module's migrations live and which schema keeps its migrations table. */
export interface MigrationSource {
  /** Absolute path of a drizzle-kit migrations folder. */
  readonly folder: string;
  /** The module's PostgreSQL schema; its migrations table is `<schema>.__migrations`. */
  readonly schema: string;
}

export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: 'postgres' | 'pglite';
  /** Applies the pending migrations of one source, serialised across processes. */
  migrate(source: MigrationSource): Promise<void>;
  /** The number of migrations in `source` not yet applied. */
  pendingMigrations(source: MigrationSource): Promise<number>;
  /** Throws unless the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsTable = '__migrations';

const migrationConfig = (source: MigrationSource): MigrationConfig => ({
  migrationsFolder: source.folder,
  migrationsSchema: source.schema,
  migrationsTable,
});

/**
 * Runs raw SQL and returns its rows. Drivers shape raw results differently (postgres.js an
 * array, PGlite `{ rows }`); this is the one place that knows.
 */
export const selectRows = async <Row extends Record<string, unknown>>(db: Database, query: SQL): Promise<Row[]> => {
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
};

/**
 * The migrations a source ships, read from disk once: /readyz asks on every probe, and the
 * files do not change while the process runs.
 */
const shippedMigrations = new Map<string, ReturnType<typeof readMigrationFiles>>();
const migrationsOf = (source: MigrationSource): ReturnType<typeof readMigrationFiles> => {
  let migrations = shippedMigrations.get(source.folder);
  if (!migrations) shippedMigrations.set(source.folder, (migrations = readMigrationFiles(migrationConfig(source))));
  return migrations;
};

const countPending = async (db: Database, source: MigrationSource): Promise<number> => {
  const expected = migrationsOf(source);
  const [table] = await selectRows<{ present: boolean }>(
    db,
    sql`select to_regclass(${`"${source.schema}"."${migrationsTable}"`}) is not null as present`,
  );
  if (!table?.present) return expected.length;
  const applied = await selectRows<{ hash: string }>(
    db,
    sql`select hash from ${sql.identifier(source.schema)}.${sql.identifier(migrationsTable)}`,
  );
  const hashes = new Set(applied.map((row) => row.hash));
  return expected.filter((migration) => !hashes.has(migration.hash)).length;
};

type Sql = postgres.Sql;
type UnsafeOptions = Parameters<Sql['unsafe']>[2];

/**
 * postgres.js, with every query drizzle sends as a named prepared statement. drizzle asks for
 * unnamed statements unless a query is prepared by name, so PostgreSQL would parse and plan
 * the same few dozen statements on every request; prepared per connection, they are planned
 * once (bench:checkout: about a third of PostgreSQL's CPU per order). Transactions and
 * savepoints hand out their own clients, which get the same treatment.
 */
const preparing = (sql: Sql): Sql =>
  new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: postgres.ParameterOrJSON<never>[], options?: UnsafeOptions) =>
          target.unsafe(query, parameters, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const work = args.pop() as (inner: Sql) => unknown;
          const open = Reflect.get(target, property, receiver) as (...rest: unknown[]) => unknown;
          return open.call(target, ...args, (inner: Sql) => work(preparing(inner)));
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

const openPostgres = (url: string): DatabaseHandle => {
  const client = postgres(url, { max: 10, onnotice: () => undefined, connection: { application_name: 'seam' } });
  const db = drizzlePostgres({ client: preparing(client) }) as unknown as Database;
  return {
    db,
    driver: 'postgres',
    async migrate(source) {
      // Replicas start together; an advisory lock on one reserved connection makes the
      // second wait for the first instead of racing it on the same DDL.
      const reserved = await client.reserve();
      const lockKey = `seam.migrate.${source.schema}`;
      try {
        await reserved`select pg_advisory_lock(hashtext(${lockKey}))`;
        await migratePostgres(drizzlePostgres({ client }), migrationConfig(source));
      } finally {
        await reserved`select pg_advisory_unlock(hashtext(${lockKey}))`.catch(() => undefined);
        reserved.release();
      }
    },
    pendingMigrations: (source) => countPending(db, source),
    async ping() {
      await client`select 1`;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
};

const openPglite = async (dataDir: string): Promise<DatabaseHandle> => {
  const inMemory = dataDir === 'memory://';
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const client = inMemory ? await PGlite.create() : await PGlite.create(dataDir);
  const db = drizzlePglite({ client }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    // PGlite is one connection in this process: nothing to race, no lock needed.
    migrate: (source) => migratePglite(drizzlePglite({ client }), migrationConfig(source)),
    pendingMigrations: (source) => countPending(db, source),
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
    },
  };
};

/** Opens the configured database. */
export const openDatabase = (config: DatabaseConfig): Promise<DatabaseHandle> =>
  config.kind === 'postgres' ? Promise.resolve(openPostgres(config.url)) : openPglite(config.dataDir);
