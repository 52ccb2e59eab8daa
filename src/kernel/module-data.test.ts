/**
 * Seeding on start never makes up data for a module whose data lives elsewhere: a module whose
 * schema is empty is refused when a module whose data refers to it already holds data. A fresh
 * database and a restart seed as before, and an explicit reseed still runs. On real PostgreSQL,
 * with two small modules: `pub`, seeded with greetings, and `sub`, whose seed requires pub's
 * contract (its rows refer to pub's).
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startPostgres, type PostgresServer } from '../../scripts/local-servers/postgres-server.js';
import { defineContract } from './contract.js';
import { openDatabase, selectRows, type DatabaseHandle } from './database.js';
import { createLogger } from './logger.js';
import { defineModule, type AnyModule, type ContractResolver } from './module.js';
import { migrateModules, schemaHoldsData, SeedRefusedError, seedModules, seedRefusals } from './module-data.js';

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'kernel', 'fixtures');
const countOf = (table: string) => async (db: DatabaseHandle['db']) => (await selectRows<{ n: number }>(db, sql.raw(`select count(*)::int as n from ${table}`)))[0]?.n ?? 0;

const pubContract = defineContract('pub', 1, { methods: { ping: { input: z.object({}), output: z.object({}), errors: [], idempotent: true } } });
const subContract = defineContract('sub', 1, { methods: { ping: { input: z.object({}), output: z.object({}), errors: [], idempotent: true } } });
const ping = () => ({ ping: async () => ({}) });

const pub = defineModule({
  name: 'pub',
  provides: pubContract,
  requires: {},
  schema: 'pub',
  migrations: join(fixtures, 'publisher', 'migrations'),
  seed: {
    isEmpty: async (db) => (await countOf('pub.greetings')(db)) === 0,
    run: async (db) => {
      await db.execute(sql`insert into pub.greetings (id, name) values (gen_random_uuid(), 'ada'), (gen_random_uuid(), 'grace')`);
      return 2;
    },
  },
  create: ping,
});

const sub = defineModule({
  name: 'sub',
  provides: subContract,
  requires: {},
  schema: 'sub',
  migrations: join(fixtures, 'subscriber', 'migrations'),
  seed: {
    requires: [pubContract],
    isEmpty: async (db) => (await countOf('sub.received')(db)) === 0,
    run: async (db) => {
      await db.execute(sql`insert into sub.received (name) select name from pub.greetings`);
      return 2;
    },
  },
  create: ping,
});

const modules: readonly AnyModule[] = [pub, sub];
const resolve = (() => ping()) as unknown as ContractResolver;
const logger = createLogger({ level: 'silent' });
const onStart = { onlyIfEmpty: true, resolve, deployment: modules, logger };

let server: PostgresServer;
let database: DatabaseHandle;

beforeAll(async () => {
  server = await startPostgres();
  database = await openDatabase({ kind: 'postgres', url: server.url });
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});
beforeEach(async () => {
  for (const schema of ['pub', 'pub_moved', 'sub']) await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await migrateModules(database, modules, logger);
});

describe('seeding on start', () => {
  it('seeds a fresh database, then adds nothing on a restart', async () => {
    expect(await seedModules(database, modules, onStart)).toEqual({ pub: 2, sub: 2 });
    expect(await seedModules(database, modules, onStart)).toEqual({});
    expect(await seedRefusals(database.db, modules)).toBeUndefined();
  });

  it('refuses a module whose schema is empty while data that refers to it is there, saying why and what to do', async () => {
    await seedModules(database, modules, onStart);
    // pub's data moved out: its schema comes back empty, as the migrator recreates it.
    await database.db.execute(sql`alter schema pub rename to pub_moved`);
    await migrateModules(database, [pub], logger);

    const refused = seedModules(database, modules, onStart);
    await expect(refused).rejects.toBeInstanceOf(SeedRefusedError);
    await expect(refused).rejects.toThrow(/module pub: its schema "pub" holds no data, but module sub holds data that refers to it.*DATABASE_URL.*npm run seed/s);
    expect(await countOf('pub.greetings')(database.db)).toBe(0);
    // The same verdict with the schema gone altogether, as a check before anything migrates sees it.
    await database.db.execute(sql`drop schema pub cascade`);
    expect(await seedRefusals(database.db, modules)).toMatch(/module pub: .* module sub holds data/);
  });

  it('still reseeds when asked to explicitly', async () => {
    await seedModules(database, modules, onStart);
    await database.db.execute(sql`truncate pub.greetings`);
    expect(await seedModules(database, modules, { ...onStart, onlyIfEmpty: false })).toEqual({ pub: 2, sub: 2 });
  });

  it('cannot tell, and so does not refuse, where the login may not read the referring schema', async () => {
    await seedModules(database, modules, onStart);
    await database.db.execute(sql`truncate pub.greetings`);
    for (const statement of ["create role pub_only login password 'pub-only'", 'grant usage on schema pub to pub_only', 'grant select, insert on all tables in schema pub to pub_only']) {
      await database.db.execute(sql.raw(statement));
    }
    const url = new URL(server.url);
    url.username = 'pub_only';
    url.password = 'pub-only';
    const pubOnly = await openDatabase({ kind: 'postgres', url: url.toString() });
    try {
      expect(await schemaHoldsData(pubOnly.db, 'sub')).toBeUndefined();
      expect(await schemaHoldsData(pubOnly.db, 'pub')).toBe(false);
      expect(await seedModules(pubOnly, [pub], onStart)).toEqual({ pub: 2 });
    } finally {
      await pubOnly.close();
      await database.db.execute(sql.raw('drop owned by pub_only'));
      await database.db.execute(sql.raw('drop role pub_only'));
    }
  });
});
