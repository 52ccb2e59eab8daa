/**
 * The outbox relay on its own, against embedded PGlite and a real PostgreSQL server: batches
 * claimed from several outboxes at once and delivered in the order the events occurred (a few
 * at a time), what was delivered marked together, failures retried then parked, leases
 * respected, nudges heard.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database, DatabaseHandle } from '../../src/kernel/database.js';
import type { EventEnvelope } from '../../src/kernel/events.js';
import { createLogger } from '../../src/kernel/logger.js';
import { OutboxRelay, type Deliver, type OutboxRelayOptions } from '../../src/kernel/outbox-relay.js';
import { outboxTable } from '../../src/kernel/outbox-tables.js';
import { databaseBackends } from '../support/database-backends.js';
import { waitFor } from '../support/wait-for.js';

/** The relay's two outboxes, migrated as a module's are: from migrations drizzle-kit generated off kernel/outbox-tables.ts. */
const outboxMigrations = [
  { schema: 'relay_a', folder: join(import.meta.dirname, 'fixtures', 'relay-a', 'migrations') },
  { schema: 'relay_b', folder: join(import.meta.dirname, 'fixtures', 'relay-b', 'migrations') },
] as const;
const schemas = outboxMigrations.map((source) => source.schema);

/** The drizzle table of `schema`'s outbox: the tests write and read it as the relay does. */
const outboxOf = (schema: string) => outboxTable(pgSchema(schema));

/** Publishes `name` into `schema`'s outbox for `subscriber`, `ageMs` in the past. */
const publish = async (db: Database, schema: string, name: string, ageMs: number, subscriber = 'sub'): Promise<string> => {
  const id = randomUUID();
  await db.insert(outboxOf(schema)).values({
    id,
    eventId: randomUUID(),
    eventType: 'test/v1#Named',
    subscriber,
    payload: { name },
    occurredAt: sql`now() - make_interval(secs => ${ageMs / 1000})`,
  });
  return id;
};

const rowsOf = (db: Database, schema: string) => {
  const outbox = outboxOf(schema);
  return db
    .select({ id: outbox.id, status: outbox.status, attempts: outbox.attempts, lastError: outbox.lastError, lockedUntil: outbox.lockedUntil })
    .from(outbox)
    .orderBy(outbox.occurredAt);
};

describe.each(databaseBackends)('outbox relay on $name', (backend) => {
  let handle: DatabaseHandle;
  let stopServer: () => Promise<void>;
  let relay: OutboxRelay | undefined;
  const delivered: string[] = [];
  let failFor = new Set<string>();

  const deliver: Deliver = async (subscriber, event: EventEnvelope) => {
    const { name } = event.payload as { name: string };
    if (failFor.has(name)) throw new Error(`${subscriber} refuses ${name}`);
    delivered.push(name);
  };

  const relayWith = (options: Partial<OutboxRelayOptions> = {}): OutboxRelay =>
    (relay = new OutboxRelay({
      db: handle.db,
      schemas,
      deliver,
      logger: createLogger({ level: 'silent' }),
      pollIntervalMs: 60_000, // the tests drive it with drain() or nudge()
      backoffMs: () => 0,
      ...options,
    }));

  beforeAll(async () => {
    const opened = await backend.open();
    handle = opened.database;
    stopServer = opened.stop;
    for (const source of outboxMigrations) await handle.migrate(source);
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    delivered.length = 0;
    failFor = new Set();
    for (const schema of schemas) await handle.db.delete(outboxOf(schema));
  });

  afterAll(async () => {
    await handle.close();
    await stopServer();
  });

  it('delivers what every outbox holds in the order the events occurred, and marks all of it delivered', async () => {
    await publish(handle.db, 'relay_a', 'first', 4000);
    await publish(handle.db, 'relay_b', 'second', 3000);
    await publish(handle.db, 'relay_a', 'third', 2000);
    await publish(handle.db, 'relay_b', 'fourth', 1000);
    expect(await relayWith().drain()).toBe(4);
    expect(delivered).toEqual(['first', 'second', 'third', 'fourth']);
    for (const schema of schemas) {
      expect(await rowsOf(handle.db, schema)).toMatchObject([
        { status: 'delivered', attempts: 1, lastError: null, lockedUntil: null },
        { status: 'delivered', attempts: 1, lastError: null, lockedUntil: null },
      ]);
    }
    expect(await relay!.drain()).toBe(0);
  });

  it('goes on past a failed delivery, retries it after its backoff, and parks it as dead after the last attempt', async () => {
    await publish(handle.db, 'relay_a', 'before', 3000);
    await publish(handle.db, 'relay_a', 'broken', 2000);
    await publish(handle.db, 'relay_b', 'after', 1000);
    failFor = new Set(['broken']);
    let backoffMs = 60_000;
    const relay = relayWith({ maxAttempts: 2, backoffMs: () => backoffMs });
    expect(await relay.drain()).toBe(2);
    expect(delivered).toEqual(['before', 'after']);
    expect(await rowsOf(handle.db, 'relay_a')).toMatchObject([
      { status: 'delivered' },
      { status: 'pending', attempts: 1, lastError: 'Error: sub refuses broken', lockedUntil: null },
    ]);
    expect(await relay.drain()).toBe(0); // still backing off
    expect(await rowsOf(handle.db, 'relay_a')).toMatchObject([{ status: 'delivered' }, { status: 'pending', attempts: 1 }]);
    backoffMs = 0;
    await handle.db.update(outboxOf('relay_a')).set({ nextAttemptAt: sql`now()` }).where(eq(outboxOf('relay_a').status, 'pending'));
    expect(await relay.drain()).toBe(0);
    expect(await rowsOf(handle.db, 'relay_a')).toMatchObject([{ status: 'delivered' }, { status: 'dead', attempts: 2 }]);
    expect(await relay.deadLetters()).toMatchObject([{ schema: 'relay_a', subscriber: 'sub', attempts: 2, lastError: 'Error: sub refuses broken' }]);
  });

  it('claims at most a batch per outbox at a time, oldest first, until drained', async () => {
    for (let n = 0; n < 5; n += 1) await publish(handle.db, 'relay_a', `a${n}`, 10_000 - n * 1000);
    for (let n = 0; n < 3; n += 1) await publish(handle.db, 'relay_b', `b${n}`, 9500 - n * 1000);
    expect(await relayWith({ batchSize: 2 }).drain()).toBe(8);
    // Each pass takes the two oldest of each outbox, and delivers them oldest first.
    expect(delivered).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'a4']);
  });

  it('leaves rows another relay holds a lease on', async () => {
    const leased = await publish(handle.db, 'relay_a', 'leased', 2000);
    await publish(handle.db, 'relay_b', 'free', 1000);
    await handle.db.update(outboxOf('relay_a')).set({ lockedUntil: sql`now() + interval '1 minute'` }).where(eq(outboxOf('relay_a').id, leased));
    expect(await relayWith().drain()).toBe(1);
    expect(delivered).toEqual(['free']);
    expect(await rowsOf(handle.db, 'relay_a')).toMatchObject([{ status: 'pending', attempts: 0 }]);
  });

  it('stops after the poll in progress, and starts none after that', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const entered: string[] = [];
    const relay = relayWith({
      deliver: async (subscriber, event) => {
        entered.push((event.payload as { name: string }).name);
        await held;
        await deliver(subscriber, event);
      },
    });
    await publish(handle.db, 'relay_a', 'held', 1000);
    relay.start();
    await waitFor(async () => entered.length, (count) => count === 1, 30_000, 'the first delivery to start');
    await publish(handle.db, 'relay_b', 'later', 0);
    for (let n = 0; n < 5; n += 1) {
      relay.nudge();
      await sleep(30); // nudged ticks come while the poll is held
    }
    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    release();
    await stopping;
    await sleep(100);
    expect(entered).toEqual(['held']);
    expect(await rowsOf(handle.db, 'relay_a')).toMatchObject([{ status: 'delivered' }]);
    expect(await rowsOf(handle.db, 'relay_b')).toMatchObject([{ status: 'pending', attempts: 0 }]);
  });

  it('marks what a slow batch delivered before half its lease is gone, not only at its end', async () => {
    await publish(handle.db, 'relay_a', 'slow1', 3000);
    await publish(handle.db, 'relay_a', 'slow2', 2000);
    await publish(handle.db, 'relay_a', 'slow3', 1000);
    const statusAtEachDelivery: string[][] = [];
    const relay = relayWith({
      leaseSeconds: 1,
      deliveryConcurrency: 1,
      deliver: async (subscriber, event) => {
        statusAtEachDelivery.push((await rowsOf(handle.db, 'relay_a')).map((row) => row.status));
        await sleep(300);
        await deliver(subscriber, event);
      },
    });
    expect(await relay.drain()).toBe(3);
    expect(delivered).toEqual(['slow1', 'slow2', 'slow3']);
    // 300 ms per delivery against a 1 s lease: by the third, half the lease is gone and the
    // first two are marked.
    expect(statusAtEachDelivery[0]).toEqual(['pending', 'pending', 'pending']);
    expect(statusAtEachDelivery[2]).toEqual(['delivered', 'delivered', 'pending']);
    expect(await rowsOf(handle.db, 'relay_a')).toMatchObject([{ status: 'delivered' }, { status: 'delivered' }, { status: 'delivered' }]);
  });

  it('has several deliveries in flight at once, up to its limit, started in the order the events occurred', async () => {
    for (let n = 0; n < 7; n += 1) await publish(handle.db, schemas[n % 2]!, `event${n}`, 7000 - n * 1000);
    const started: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const relay = relayWith({
      deliveryConcurrency: 3,
      deliver: async (subscriber, event) => {
        started.push((event.payload as { name: string }).name);
        mostInFlight = Math.max(mostInFlight, (inFlight += 1));
        await sleep(30);
        inFlight -= 1;
        await deliver(subscriber, event);
      },
    });
    expect(await relay.drain()).toBe(7);
    expect(started).toEqual(Array.from({ length: 7 }, (_, n) => `event${n}`));
    expect(mostInFlight).toBe(3);
    for (const schema of schemas) expect((await rowsOf(handle.db, schema)).every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true);
  });

  it('goes on delivering the rest of a batch while one delivery fails, and marks only what arrived', async () => {
    for (let n = 0; n < 6; n += 1) await publish(handle.db, 'relay_a', `event${n}`, 6000 - n * 1000);
    failFor = new Set(['event1']);
    const relay = relayWith({ deliveryConcurrency: 4, backoffMs: () => 60_000 });
    expect(await relay.drain()).toBe(5);
    expect([...delivered].sort()).toEqual(['event0', 'event2', 'event3', 'event4', 'event5']);
    expect((await rowsOf(handle.db, 'relay_a')).map((row) => row.status)).toEqual(['delivered', 'pending', 'delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('looks soon after a nudge, also for events published while it polls', async () => {
    // An event for the first poll: once it has arrived, the next poll is a minute away, so
    // only the nudges can bring the rest (the bounds below are well inside that minute).
    await publish(handle.db, 'relay_a', 'first', 0);
    const relay = relayWith();
    relay.start();
    await waitFor(async () => delivered.length, (count) => count === 1, 30_000, 'the first poll');
    for (let n = 0; n < 20; n += 1) {
      await publish(handle.db, schemas[n % 2]!, `event${n}`, 0);
      relay.nudge();
    }
    await waitFor(async () => delivered.length, (count) => count === 21, 30_000, 'all 20 events to arrive');
    expect([...delivered].sort()).toEqual(['first', ...Array.from({ length: 20 }, (_, n) => `event${n}`)].sort());
  });
});
