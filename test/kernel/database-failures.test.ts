/**
 * Transient database failures on a real PostgreSQL server: a backend terminated mid-statement
 * (pg_terminate_backend, as a restart does to every session) costs a read nothing, it is sent
 * again; a write reports OUTCOME_UNKNOWN, never sent twice; a transaction cut off mid-work is
 * rolled back and says so; a database that cannot be reached at all is SERVICE_UNAVAILABLE.
 *
 * Each statement is held on a table lock until the test has terminated its backend, so the
 * failure strikes mid-statement every time, without timing.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInCall } from '../../src/kernel/call-context.js';
import { openDatabase, selectRows, type DatabaseHandle } from '../../src/kernel/database.js';
import { toSeamError } from '../../src/kernel/errors.js';
import { freePort } from '../support/child-process.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { waitFor } from '../support/wait-for.js';

/** How `work` failed, as the kernel sees it: drizzle wraps what a query threw in its own error. */
const failureOf = (work: PromiseLike<unknown>): Promise<unknown> =>
  Promise.resolve(work).then(
    () => 'no failure',
    (error: unknown) => toSeamError(error),
  );

describe('transient database failures', () => {
  let server: PostgresServer;
  let handle: DatabaseHandle;
  let admin: postgres.Sql;

  beforeAll(async () => {
    server = await startPostgres();
    admin = postgres(server.url, { max: 4, onnotice: () => undefined });
    await admin`create table probe (id int)`;
    await admin`create table probe_log (id int)`;
    handle = await openDatabase({ kind: 'postgres', url: server.url });
  });
  afterAll(async () => {
    await handle?.close();
    await admin?.end({ timeout: 1 });
    await server?.stop();
  });
  beforeEach(async () => {
    await admin`truncate probe, probe_log`;
  });

  /** Holds an exclusive lock on `probe` until released: statements touching it wait. */
  const lockProbe = async () => {
    const holder = await admin.reserve();
    await holder`begin`;
    await holder`lock table probe in access exclusive mode`;
    return async () => {
      await holder`commit`;
      holder.release();
    };
  };

  /** The backend of ours (not `seen`) now waiting for the lock. */
  const nextBlocked = (seen: readonly number[]): Promise<number> =>
    waitFor(
      async () => {
        const rows = await admin<{ pid: number }[]>`
          select pid from pg_stat_activity where application_name = 'seam' and wait_event_type = 'Lock'`;
        return rows.map((row) => row.pid).find((pid) => !seen.includes(pid));
      },
      (pid) => pid !== undefined,
      20_000,
      'a statement waiting for the lock',
    ) as Promise<number>;

  const terminate = async (pid: number): Promise<void> => {
    await admin`select pg_terminate_backend(${pid})`;
  };

  it('sends a read again on a new connection when its backend is terminated mid-statement', async () => {
    await admin`insert into probe values (1), (2)`;
    const release = await lockProbe();
    const read = selectRows<{ n: number }>(handle.db, sql`select count(*)::int as n from probe`);
    read.catch(() => undefined);
    const first = await nextBlocked([]);
    await terminate(first);
    // The same read, waiting again, from another backend: it was retried, not failed.
    const second = await nextBlocked([first]);
    expect(second).not.toBe(first);
    await release();
    expect(await read).toEqual([{ n: 2 }]);
  });

  it('reports a write cut off mid-statement as OUTCOME_UNKNOWN and does not send it again', async () => {
    const release = await lockProbe();
    const write = failureOf(handle.db.execute(sql`insert into probe values (7)`));
    await terminate(await nextBlocked([]));
    expect(await write).toMatchObject({ code: 'OUTCOME_UNKNOWN', kind: 'outcome-unknown' });
    await release();
    // Terminated before it committed, and not retried: the row is not there (the caller could not know that).
    expect(await admin`select * from probe`).toHaveLength(0);
  });

  it('reports a transaction cut off mid-work as SERVICE_UNAVAILABLE, rolled back', async () => {
    const release = await lockProbe();
    const transaction = failureOf(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe_log values (1)`);
        await tx.execute(sql`insert into probe values (1)`);
      }),
    );
    await terminate(await nextBlocked([]));
    expect(await transaction).toMatchObject({ code: 'SERVICE_UNAVAILABLE', kind: 'unavailable' });
    await release();
    expect(await admin`select * from probe_log`).toHaveLength(0);
  });

  it('answers SERVICE_UNAVAILABLE for reads and writes when the database cannot be reached', async () => {
    const nowhere = await openDatabase({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:${await freePort()}/seam` });
    try {
      // Each in a call with a short deadline of its own, so the tries stop at it instead of
      // spending the whole retry budget. Refused connections never ran, so the answer is the
      // same whether the deadline cut the tries short or they were all spent.
      const inShortCall = <T>(work: () => Promise<T>): Promise<T> =>
        runInCall({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), deadline: Date.now() + 300 }, work);
      expect(await inShortCall(() => failureOf(selectRows(nowhere.db, sql`select 1`)))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await inShortCall(() => failureOf(nowhere.db.execute(sql`insert into probe values (1)`)))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await inShortCall(() => failureOf(nowhere.db.transaction(async (tx) => tx.execute(sql`select 1`))))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await nowhere.close();
    }
  });

  it('leaves errors that are not transient alone', async () => {
    const error = await Promise.resolve(handle.db.execute(sql`select * from no_such_table`)).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ cause: { code: '42P01' } });
    expect(toSeamError(error)).toMatchObject({ code: 'INTERNAL' });
  });
});
