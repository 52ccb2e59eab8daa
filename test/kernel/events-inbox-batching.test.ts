/**
 * Events that arrive together, consumed in one transaction (InboxBatcher), against embedded
 * PGlite and a real PostgreSQL server: each event handled once, a failing event failing alone
 * while the others commit, a redelivered group changing nothing, and each handler in the call
 * context of its own delivery.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentCall, runInCall } from '../../src/kernel/call-context.js';
import { selectRows, type Database, type DatabaseHandle } from '../../src/kernel/database.js';
import type { EventEnvelope, EventHandler } from '../../src/kernel/events.js';
import { InboxBatcher } from '../../src/kernel/inbox.js';
import { databaseBackends } from '../support/database-backends.js';
import { subscriberMigrations } from './events-sharing-subscriber.js';

const event = (name: string, id: string = randomUUID()): EventEnvelope => ({ id, type: 'greeter/v1#Greeted', payload: { name }, occurredAt: new Date().toISOString() });

describe.each(databaseBackends)('inbox batching on $name', (backend) => {
  let handle: DatabaseHandle;
  let stopServer: () => Promise<void>;
  /** Name → the transaction each call of the handler ran in (a rolled-back call included). */
  let calls: { name: string; transaction: string }[] = [];

  const handler: EventHandler = async (e, tx) => {
    const { name } = e.payload as { name: string };
    const [row] = await selectRows<{ id: string }>(tx, sql`select txid_current()::text as id`);
    calls.push({ name, transaction: row!.id });
    if (name.startsWith('poison')) throw new Error(`cannot handle ${name}`);
    await tx.execute(sql`insert into sub.received (name) values (${name})`);
  };

  const received = async (db: Database = handle.db): Promise<string[]> =>
    (await selectRows<{ name: string }>(db, sql`select name from sub.received order by name`)).map((row) => row.name);
  const inboxSize = async (): Promise<number> => (await selectRows<{ count: number }>(handle.db, sql`select count(*)::int as count from sub.inbox`))[0]!.count;
  const batcher = (options: { maxBatch?: number; maxInFlight?: number } = {}) => new InboxBatcher({ db: handle.db, schema: 'sub', ...options });

  beforeAll(async () => {
    const opened = await backend.open();
    handle = opened.database;
    stopServer = opened.stop;
    await handle.migrate({ schema: 'sub', folder: subscriberMigrations });
  });

  afterEach(async () => {
    calls = [];
    await handle.db.execute(sql`truncate sub.inbox, sub.received`);
  });

  afterAll(async () => {
    await handle.close();
    await stopServer();
  });

  it('handles the events that arrive together in one transaction, each once', async () => {
    const inbox = batcher();
    const names = ['a', 'b', 'c', 'd', 'e'];
    expect(await Promise.all(names.map((name) => inbox.consume(event(name), handler)))).toEqual([true, true, true, true, true]);
    expect(await received()).toEqual(names);
    expect(calls.map((call) => call.name)).toEqual(names);
    expect(new Set(calls.map((call) => call.transaction)).size).toBe(1);
    expect(await inboxSize()).toBe(5);
  });

  it('puts no more than maxBatch events in one transaction', async () => {
    const inbox = batcher({ maxBatch: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => inbox.consume(event(name), handler)));
    const perTransaction = new Map<string, number>();
    for (const call of calls) perTransaction.set(call.transaction, (perTransaction.get(call.transaction) ?? 0) + 1);
    expect(Math.max(...perTransaction.values())).toBeLessThanOrEqual(2);
    expect(await received()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('fails a failing event alone: the others of its group are handled once and committed', async () => {
    const inbox = batcher();
    const outcomes = await Promise.allSettled(['a', 'b', 'poison', 'c', 'd'].map((name) => inbox.consume(event(name), handler)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ message: 'cannot handle poison' });
    expect(await received()).toEqual(['a', 'b', 'c', 'd']);
    expect(await inboxSize()).toBe(4); // the poisoned event stays unprocessed, to be retried
    // The group's transaction rolled back, then each event ran in one of its own.
    const alone = calls.filter((call) => calls.filter((other) => other.transaction === call.transaction).length === 1);
    expect(alone.map((call) => call.name)).toEqual(['a', 'b', 'poison', 'c', 'd']);
  });

  it('changes nothing when a group is delivered again, whole or in part, alone or with new events', async () => {
    const inbox = batcher();
    const group = ['a', 'b', 'c'].map((name) => event(name));
    await Promise.all(group.map((e) => inbox.consume(e, handler)));
    calls = [];
    expect(await Promise.all(group.map((e) => inbox.consume(e, handler)))).toEqual([false, false, false]);
    expect(await Promise.all([group[1]!, event('d'), group[0]!].map((e) => inbox.consume(e, handler)))).toEqual([false, true, false]);
    expect(calls.map((call) => call.name)).toEqual(['d']);
    expect(await received()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('handles an event given twice in one group once', async () => {
    const inbox = batcher();
    const twice = event('twice');
    expect(await Promise.all([twice, twice, event('once')].map((e) => inbox.consume(e, handler)))).toEqual([true, false, true]);
    expect(await received()).toEqual(['once', 'twice']);
  });

  it('handles each event once when two consumers take the same group at the same time', async () => {
    const group = ['a', 'b', 'c', 'd'].map((name) => event(name));
    // Two consumers (replicas) given the same events in opposite orders, as a redelivery races.
    const [first, second] = await Promise.all([
      Promise.all(group.map((e) => batcher().consume(e, handler))),
      Promise.all([...group].reverse().map((e) => batcher().consume(e, handler))),
    ]);
    expect(first.map((handled, n) => handled !== [...second].reverse()[n])).toEqual([true, true, true, true]);
    expect(await received()).toEqual(['a', 'b', 'c', 'd']);
    expect(calls.map((call) => call.name).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails an event whose id the inbox cannot hold alone', async () => {
    const inbox = batcher();
    const outcomes = await Promise.allSettled([event('a'), event('bad id', 'not-a-uuid'), event('b')].map((e) => inbox.consume(e, handler)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await received()).toEqual(['a', 'b']);
  });

  it('runs each handler in the call context of its own delivery', async () => {
    const inbox = batcher();
    const seen = new Map<string, string | undefined>();
    const tracing: EventHandler = async (e) => {
      const { name } = e.payload as { name: string };
      seen.set(name, currentCall()?.traceId);
    };
    const traces = { a: 'a'.repeat(32), b: 'b'.repeat(32), c: 'c'.repeat(32) };
    await Promise.all(Object.entries(traces).map(([name, traceId]) => runInCall({ traceId, spanId: '1'.repeat(16) }, () => inbox.consume(event(name), tracing))));
    expect(Object.fromEntries(seen)).toEqual(traces);
  });

  it('refuses a batch size or a limit of transactions that is not a positive integer', () => {
    expect(() => batcher({ maxBatch: 0 })).toThrow('maxBatch must be a positive integer, not 0');
    expect(() => batcher({ maxInFlight: 1.5 })).toThrow('maxInFlight must be a positive integer, not 1.5');
  });
});
