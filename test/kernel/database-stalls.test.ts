/**
 * Statements the driver never answers, on a real PostgreSQL server behind a relay whose open
 * connections go silent (nothing passes, nothing closes: postgres.js 3.4.9 then waits for good,
 * porsager/postgres#1089, as it does for the restart case of #1193). Past the stall time a read
 * is sent again on a fresh pool and answers; a write reports OUTCOME_UNKNOWN and is not sent
 * again; a transaction whose start stalled begins again on a fresh pool, and its work runs once
 * even when the first start gets through afterwards.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, selectRows, type DatabaseHandle } from '../../src/kernel/database.js';
import { toSeamError } from '../../src/kernel/errors.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay.js';
import { waitFor } from '../support/wait-for.js';

const stallMs = 500;

describe('statements the driver never answers', () => {
  let server: PostgresServer;
  let relay: TcpRelay;
  let admin: postgres.Sql;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    server = await startPostgres();
    admin = postgres(server.url, { max: 2, onnotice: () => undefined });
    await admin`create table probe (id int)`;
    const target = new URL(server.url);
    relay = await startTcpRelay(target.hostname, Number(target.port));
  });
  afterAll(async () => {
    await admin?.end({ timeout: 1 });
    await relay?.close();
    await server?.stop();
  });
  // A handle of its own per test: a stall replaces the pool, at most once every two seconds.
  beforeEach(async () => {
    await admin`truncate probe`;
    const url = new URL(server.url);
    url.port = String(relay.port);
    handle = await openDatabase({ kind: 'postgres', url: url.toString(), stallMs });
    // Connections through the relay, open before it freezes them.
    expect(await selectRows(handle.db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });
  afterEach(async () => {
    relay.thaw();
    await handle.close();
  });

  const rows = async (): Promise<number> => (await admin<{ n: number }[]>`select count(*)::int as n from probe`)[0]!.n;

  it('sends a read again on a fresh pool once it stalls, and answers', async () => {
    await admin`insert into probe values (1), (2)`;
    relay.freeze();
    expect(await selectRows(handle.db, sql`select count(*)::int as n from probe`)).toEqual([{ n: 2 }]);
  });

  it('reports a write that stalls as OUTCOME_UNKNOWN and does not send it again', async () => {
    relay.freeze();
    const failure = await Promise.resolve(handle.db.execute(sql`insert into probe values (7)`)).then(
      () => 'no failure',
      (error: unknown) => toSeamError(error),
    );
    expect(failure).toMatchObject({ code: 'OUTCOME_UNKNOWN', kind: 'outcome-unknown' });
    expect(await rows()).toBe(0);
    // Let the first send through after all: it may run once (hence "unknown"), never twice.
    relay.thaw();
    await handle.close();
    expect(await rows()).toBeLessThanOrEqual(1);
  });

  it('begins a transaction again on a fresh pool when its start stalls, and runs its work once', async () => {
    relay.freeze();
    let runs = 0;
    const inserted = await handle.db.transaction(async (tx) => {
      runs += 1;
      await tx.execute(sql`insert into probe values (1)`);
      return 'committed';
    });
    expect(inserted).toBe('committed');
    // The first start reaches the server now; it must not run the work the second one ran.
    relay.thaw();
    await waitFor(
      () => admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where application_name = 'seam' and state like 'idle in transaction%'`,
      (open) => open[0]!.n === 0,
      10_000,
      'the first start rolled back',
    );
    await handle.close();
    expect({ runs, rows: await rows() }).toEqual({ runs: 1, rows: 1 });
  });
});
