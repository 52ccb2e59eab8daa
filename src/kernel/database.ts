/**
 * @module The database: drizzle over postgres.js when a server is configured, over embedded
 * PGlite otherwise, behind one handle.
 *
 * Modules see only `Database` (drizzle's driver-neutral PostgreSQL API), so the same module
 * code runs on a laptop with nothing installed and in production on a real server.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Column, is, Param, sql, type Placeholder, type Query, type SQL } from 'drizzle-orm';
import { readMigrationFiles, type MigrationConfig } from 'drizzle-orm/migrator';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { DatabaseConfig } from './config.js';
import { openEmptyInMemory } from './pglite-template.js';
import { postgresClient, type PoolUsage } from './postgres-client.js';
import { inSpan, SpanKind, spansRecorded } from './tracing.js';

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
  /** The connection pool's use now (a server's pool; PGlite is one connection in process and has none). */
  usage?(): PoolUsage;
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

/** The placeholders a statement is built with: one per value it takes, named after it. */
export type Placeholders<Values> = { readonly [Name in keyof Values & string]: Placeholder<Name, Values[Name]> };

/** What a statement returns per row, under the keys its rows get: table columns, or aliased expressions. */
export type ReturnedFields = Readonly<Record<string, Column | SQL.Aliased>>;

/** A drizzle query builder: SQL text and parameters on demand, and the result type of running it. */
export interface Buildable<Result> extends PromiseLike<Result> {
  toSQL(): Query;
}

/** A statement whose SQL text is built once, at its first run, and reused for every later run. */
export interface Statement<Values, Result> {
  /** Runs on `db`: the shared pool, or a transaction. */
  run(db: Database, values: Values): Promise<Result>;
}

/**
 * Statement `name`, as `build` writes it with `values` where the values go (placeholders).
 *
 * drizzle builds SQL text anew every time a query builder runs, which on a busy request path
 * cost more CPU than everything postgres.js did; and drizzle's own
 * `.prepare()` binds a query to one session, so it cannot run inside transactions, which
 * start a session each. Here the text and parameter list are taken from the builder once;
 * each run hands them to the session it runs on, drizzle fills in the placeholders (encoding
 * each value as its column does, jsonb as JSON, timestamps as ISO text), and rows come back
 * as arrays that `returns` decodes.
 *
 * `returns` must list what the statement selects or returns, in that order: the object given
 * to `.select()`/`.returning()`, or the table's columns (`getTableColumns`) for the bare forms.
 * Omit it for a statement that returns no rows; its result is the driver's. Aliased SQL
 * expressions are returned as the driver parses them (drizzle's `mapWith` is not applied).
 */
export const statement =
  <Values extends object>(name: string) =>
  <Result>(build: (db: Database, values: Placeholders<Values>) => Buildable<Result>, returns?: ReturnedFields): Statement<Values, Result> =>
    builtOnce<Values, Result>(name, (db) => build(db, placeholdersOf<Values>()).toSQL(), returns);

/** Renders hand-written SQL (`sqlStatement`) to text and parameters; no driver or session involved. */
const dialect = new PgDialect();

/**
 * Statement `name` written in SQL rather than with a query builder, for what the builders cannot
 * say in one statement: several writes that must happen together (data-modifying WITH queries,
 * one round trip and atomic without a transaction). Tables go in as drizzle objects, values as
 * placeholders (`setTo` encodes one as its column does), and a query builder of `db` may go in
 * whole: drizzle writes it in parentheses, so `"name" as ${builder}` makes it a WITH query.
 * `returns` lists what the statement selects, in order, as for `statement`; the rows come back
 * as `Row`, a type the caller states.
 *
 * @example
 * const take = sqlStatement<{ id: string }, { id: string }>('jobs.take')(
 *   (db, p) => sql`with "taken" as ${db.update(jobs).set({ taken: true }).where(eq(jobs.id, p.id)).returning({ id: jobs.id })} select "id" from "taken"`,
 *   { id: jobs.id },
 * );
 */
export const sqlStatement =
  <Values extends object, Row>(name: string) =>
  (build: (db: Database, values: Placeholders<Values>) => SQL, returns: ReturnedFields): Statement<Values, Row[]> =>
    builtOnce<Values, Row[]>(name, (db) => dialect.sqlToQuery(build(db, placeholdersOf<Values>())), returns);

/** A placeholder for every value a statement takes, named after it. */
const placeholdersOf = <Values>(): Placeholders<Values> =>
  new Proxy({}, { get: (_, key) => (typeof key === 'string' ? sql.placeholder(key) : undefined) }) as Placeholders<Values>;

/** A statement whose query `toQuery` gives at its first run; rows decoded by `returns` (see `statement`). */
const builtOnce = <Values extends object, Result>(name: string, toQuery: (db: Database) => Query, returns: ReturnedFields | undefined): Statement<Values, Result> => {
  const decode = returns === undefined ? undefined : rowDecoder(name, returns);
  // The result type is what the builder would return; the decoder produces that shape from
  // the same fields, which the type system cannot see through an array row.
  const mapRows = decode && ((rows: unknown[][]) => rows.map(decode) as Result);
  let query: Query | undefined;
  return {
    run(db, values) {
      query ??= toQuery(db);
      const prepared = db._.session.prepareQuery<{ execute: Result; all: unknown; values: unknown }>(query, undefined, name, true, mapRows);
      // Values is any object type (interfaces have no index signature); drizzle reads it by placeholder name.
      return prepared.execute(values as Record<string, unknown>);
    },
  };
};

/** Turns a row (an array, in the order of `returns`) into an object, each value decoded as its column decodes it. */
const rowDecoder = (name: string, returns: ReturnedFields): ((row: unknown[]) => Record<string, unknown>) => {
  const fields = Object.entries(returns).map(([key, field]) => ({
    key,
    decode: is(field, Column) ? (value: unknown): unknown => field.mapFromDriverValue(value) : (value: unknown): unknown => value,
  }));
  return (row) => {
    if (row.length !== fields.length) throw new Error(`statement ${name} returned ${row.length} columns where ${fields.length} were declared`);
    const decoded: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i += 1) {
      const { key, decode } = fields[i]!;
      const value = row[i];
      decoded[key] = value === null || value === undefined ? null : decode(value);
    }
    return decoded;
  };
};

/**
 * `placeholder` as the value of `column` in an UPDATE's SET, encoded as the column encodes its
 * values. drizzle does this for plain values in `.set()` but does not accept placeholders there.
 */
export const setTo = (column: Column, placeholder: Placeholder): SQL => sql`${new Param(placeholder, column)}`;

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

const openPostgres = (url: string, stallMs: number | undefined): DatabaseHandle => {
  const connections = postgresClient(url, { stallMs });
  const client = connections.current;
  const db = drizzlePostgres({ client: connections.client }) as unknown as Database;
  return {
    db,
    driver: 'postgres',
    async migrate(source) {
      // Replicas start together; an advisory lock on one reserved connection makes the
      // second wait for the first instead of racing it on the same DDL.
      const reserved = await client().reserve();
      const lockKey = `seam.migrate.${source.schema}`;
      try {
        await reserved`select pg_advisory_lock(hashtext(${lockKey}))`;
        await migratePostgres(drizzlePostgres({ client: client() }), migrationConfig(source));
      } finally {
        await reserved`select pg_advisory_unlock(hashtext(${lockKey}))`.catch(() => undefined);
        reserved.release();
      }
    },
    pendingMigrations: (source) => countPending(db, source),
    async ping() {
      await client()`select 1`;
    },
    usage: () => connections.usage(),
    async close() {
      await connections.end();
    },
  };
};

const openPglite = async (dataDir: string): Promise<DatabaseHandle> => {
  const inMemory = dataDir === 'memory://';
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const client = inMemory ? await openEmptyInMemory() : await PGlite.create(dataDir);
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

/**
 * While spans are recorded, every transaction runs in a span of its own (its statements, its
 * wait for a connection and its commit), under the step or call that opened it.
 */
const traceTransactions = (handle: DatabaseHandle): DatabaseHandle => {
  if (!spansRecorded()) return handle;
  const { db } = handle;
  const transaction = db.transaction.bind(db);
  const attributes = { 'db.system.name': 'postgresql', 'db.operation.name': 'transaction' };
  db.transaction = ((work, config) => inSpan('transaction', { kind: SpanKind.CLIENT, attributes }, () => transaction(work, config))) as Database['transaction'];
  return handle;
};

/** Opens the configured database. */
export const openDatabase = async (config: DatabaseConfig): Promise<DatabaseHandle> =>
  traceTransactions(config.kind === 'postgres' ? openPostgres(config.url, config.stallMs) : await openPglite(config.dataDir));
