/**
 * Events end to end inside one process: outbox written in the publisher's transaction,
 * relayed to the subscriber, consumed once through its inbox; failures retried, then dead,
 * then replayed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/kernel/config.js';
import { openDatabase, selectRows, type Database, type DatabaseHandle } from '../../src/kernel/database.js';
import { parseTraceparent, runInCall } from '../../src/kernel/call-context.js';
import { consumeOnce } from '../../src/kernel/inbox.js';
import { createLogger } from '../../src/kernel/logger.js';
import { defineModule } from '../../src/kernel/module.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import { waitFor } from '../support/wait-for.js';
import { greeterContract, greeterModule, listenerContract, listenerControl, listenerModule } from '../support/greeter-modules.js';

let database: DatabaseHandle | undefined;
let host: ModuleHost | undefined;

const startHost = async (relay: { maxAttempts?: number; backoffMs?: (attempt: number) => number } = {}) => {
  database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  const config = loadConfig({ NODE_ENV: 'test' });
  host = new ModuleHost({
    database,
    config,
    logger: createLogger({ level: 'silent' }),
    bind: inProcessBinder({ validate: true }),
    relay: { pollIntervalMs: 60_000, ...relay }, // tests drive the relay with drain()
  });
  await host.start([greeterModule, listenerModule]);
  return { host, db: database.db, greeter: host.api(greeterContract), listener: host.api(listenerContract) };
};

const outboxRows = (db: Database) =>
  selectRows<{ status: string; attempts: number; subscriber: string; last_error: string | null }>(db, sql`select status, attempts, subscriber, last_error from pub.outbox`);

afterEach(async () => {
  listenerControl.down = false;
  listenerControl.calledIn.clear();
  await host?.stop();
  await database?.close();
});

describe('events through the outbox', () => {
  it('delivers a committed event to its subscriber once', async () => {
    const { host, db, greeter, listener } = await startHost();
    await greeter.greet({ name: 'Ada', fail: false });
    expect(await outboxRows(db)).toMatchObject([{ status: 'pending', subscriber: 'sub' }]);
    expect(await host.relay.drain()).toBe(1);
    expect(await listener.received({})).toEqual({ names: ['Ada'] });
    expect(await outboxRows(db)).toMatchObject([{ status: 'delivered', attempts: 1 }]);
    expect(await host.relay.drain()).toBe(0);
  });

  it('runs the handler in the trace of the call that published the event (a new trace for one published outside any), as a span of its own', async () => {
    const { host, db, greeter } = await startHost();
    const publishedIn = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    await runInCall(publishedIn, () => greeter.greet({ name: 'Traced', fail: false }));
    await greeter.greet({ name: 'Untraced', fail: false });
    const stored = await selectRows<{ traceparent: string }>(db, sql`select traceparent from pub.outbox order by occurred_at`);
    // Each row keeps the span of its publication: a child of the caller's span, or the root of a trace of its own.
    expect(stored.map((row) => parseTraceparent(row.traceparent)?.traceId)).toEqual([publishedIn.traceId, expect.stringMatching(/^[0-9a-f]{32}$/)]);
    expect(stored[0]!.traceparent).not.toContain(publishedIn.spanId);
    expect(stored[1]!.traceparent).not.toContain(publishedIn.traceId);
    expect(await host.relay.drain()).toBe(2);
    expect(listenerControl.calledIn.get('Traced')).toMatchObject({ traceId: publishedIn.traceId });
    expect(listenerControl.calledIn.get('Traced')!.spanId).not.toBe(publishedIn.spanId);
    expect(listenerControl.calledIn.get('Untraced')).toMatchObject({ traceId: parseTraceparent(stored[1]!.traceparent)?.traceId });
  });

  it('relays outside the call whose publication nudged it: other events in the batch get neither its trace nor its deadline', async () => {
    const { host, db, greeter } = await startHost();
    // An event for a first poll: once it has arrived, that poll has claimed its batch and the
    // next is a minute away, so only the nudge below can bring 'Quiet' and 'Nudged' together.
    await greeter.greet({ name: 'First', fail: false });
    await waitFor(async () => listenerControl.calledIn.has('First'), (arrived) => arrived, 30_000, 'the first poll');
    await db.execute(sql`insert into pub.outbox (id, event_id, event_type, subscriber, payload, occurred_at)
      values (${randomUUID()}, ${randomUUID()}, 'greeter/v1#Greeted', 'sub', ${JSON.stringify({ name: 'Quiet' })}::jsonb, now())`);
    const caller = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), deadline: Date.now() + 60_000 };
    await runInCall(caller, () => greeter.greet({ name: 'Nudged', fail: false }));
    await waitFor(async () => listenerControl.calledIn.size, (count) => count === 3, 30_000, "'Quiet' and 'Nudged' to arrive");
    expect(listenerControl.calledIn.get('Quiet')?.traceId).not.toBe(caller.traceId);
    expect(listenerControl.calledIn.get('Quiet')?.deadline).toBeUndefined();
    expect(listenerControl.calledIn.get('Nudged')).toMatchObject({ traceId: caller.traceId });
    expect(listenerControl.calledIn.get('Nudged')!.deadline).toBeUndefined();
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const { host, db, greeter, listener } = await startHost();
    await greeter.greet({ name: 'Ghost', fail: true });
    expect(await outboxRows(db)).toEqual([]);
    await host.relay.drain();
    expect(await listener.received({})).toEqual({ names: [] });
  });

  it('has no second effect when an event is delivered again', async () => {
    const { host, db, greeter, listener } = await startHost();
    await greeter.greet({ name: 'Grace', fail: false });
    await host.relay.drain();
    const [row] = await selectRows<{ event_id: string; event_type: string; payload: { name: string }; occurred_at: Date }>(
      db,
      sql`select event_id, event_type, payload, occurred_at from pub.outbox`,
    );
    const again = { id: row!.event_id, type: row!.event_type, payload: row!.payload, occurredAt: new Date(row!.occurred_at).toISOString() };
    const handler = async () => {
      await db.execute(sql`insert into sub.received (name) values ('duplicate')`);
    };
    expect(await consumeOnce(db, 'sub', again, handler)).toBe(false);
    expect(await listener.received({})).toEqual({ names: ['Grace'] });
  });

  it('retries a failing delivery, parks it as dead after the last attempt, and replays it', async () => {
    const { host, db, greeter, listener } = await startHost({ maxAttempts: 3, backoffMs: () => 0 });
    await greeter.greet({ name: 'Linus', fail: false });
    listenerControl.down = true;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await host.relay.drain();
    }
    listenerControl.down = false;
    expect(await outboxRows(db)).toMatchObject([{ status: 'dead', attempts: 3, last_error: 'Error: subscriber is down' }]);
    const [letter] = await host.relay.deadLetters();
    expect(letter).toMatchObject({ schema: 'pub', subscriber: 'sub', eventType: 'greeter/v1#Greeted', attempts: 3 });
    expect(await listener.received({})).toEqual({ names: [] });

    expect(await host.relay.replay('pub', letter!.id)).toBe(true);
    expect(await host.relay.drain()).toBe(1);
    expect(await listener.received({})).toEqual({ names: ['Linus'] });
  });

  it('waits out the backoff before retrying', async () => {
    const { host, db, greeter, listener } = await startHost({ backoffMs: () => 60_000 });
    await greeter.greet({ name: 'Barbara', fail: false });
    listenerControl.down = true;
    expect(await host.relay.drain()).toBe(0);
    listenerControl.down = false;
    const [row] = await selectRows<{ wait_seconds: number }>(db, sql`select extract(epoch from next_attempt_at - now())::float8 as wait_seconds from pub.outbox`);
    expect(row?.wait_seconds).toBeGreaterThan(50);
    expect(await outboxRows(db)).toMatchObject([{ status: 'pending', attempts: 1, last_error: 'Error: subscriber is down' }]);
    expect(await host.relay.drain()).toBe(0);
    expect(await listener.received({})).toEqual({ names: [] });
  });

  it('refuses a module that declares a subscription without handling it', async () => {
    const silent = defineModule({ ...listenerModule, create: () => ({ received: async () => ({ names: [] }) }) });
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    host = new ModuleHost({ database, config: loadConfig({ NODE_ENV: 'test' }), logger: createLogger({ level: 'silent' }), bind: inProcessBinder({}) });
    await expect(host.start([greeterModule, silent])).rejects.toThrow('Module sub subscribes to greeter/v1#Greeted but registers no handler');
  });
});
