/**
 * Batches over the queue binding: a relay's batch goes onto the queue in one addBulk, and a
 * subscriber whose handler shares transactions consumes the jobs that arrive together in one.
 * Nothing is lost and nothing reaches a handler's committed effects twice: a failing event is
 * retried and dead-lettered alone, a redelivered batch changes nothing, and a relay that dies
 * after its addBulk but before marking its rows delivers them again without a second handling.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { selectRows, type Database } from '../../src/kernel/database.js';
import type { EventEnvelope } from '../../src/kernel/events.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { AnyModule } from '../../src/kernel/module.js';
import type { ModuleHostOptions } from '../../src/kernel/module-host.js';
import { OutboxRelay, type Deliver } from '../../src/kernel/outbox-relay.js';
import { QueueClient } from '../../src/transport/queue/connection.js';
import { listDeadLetters } from '../../src/transport/queue/dead-letters.js';
import { queueDelivery, startEventConsumer } from '../../src/transport/queue/events.js';
import { eventQueueName } from '../../src/transport/queue/wire.js';
import { handlerLog, sharingSubscriber, type HandlerLog } from '../kernel/events-sharing-subscriber.js';
import { greeterContract, greeterModule } from '../support/greeter-modules.js';
import { redisForThisFile } from '../support/redis-per-file.js';
import { startTestHost } from '../support/test-host.js';
import { waitFor } from '../support/wait-for.js';

const redis = redisForThisFile();
let prefix: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  prefix = `t${randomUUID().slice(0, 8)}`;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const connection = () => ({ connection: redis.url(), prefix });
const silent = createLogger({ level: 'silent' });

const startHost = async (modules: readonly AnyModule[], options: Pick<ModuleHostOptions, 'allModules' | 'deliverRemote'> = {}) => {
  const started = await startTestHost(modules, {}, { relay: { pollIntervalMs: 20 }, ...options });
  cleanups.push(() => started.stop());
  return { host: started.host, db: started.database.db };
};

/** The subscriber's process (its handler shares transactions) and the publisher's, joined by BullMQ. */
const startProcesses = async (log: HandlerLog) => {
  const subscriberModule = sharingSubscriber(log);
  const subscriber = await startHost([subscriberModule]);
  const consumer = await startEventConsumer({ ...connection(), concurrency: 10, attempts: 3, backoff: { type: 'fixed', delay: 10 }, subscriber: 'sub', handle: (event) => subscriber.host.deliverLocal('sub', event) });
  cleanups.push(() => consumer.close());
  const delivery = queueDelivery(connection());
  cleanups.push(() => delivery.close());
  const publisher = await startHost([greeterModule], { allModules: [greeterModule, subscriberModule], deliverRemote: delivery });
  const queues = new QueueClient(connection());
  cleanups.push(() => queues.close());
  const received = async () => (await selectRows<{ name: string }>(subscriber.db, sql`select name from sub.received order by name`)).map((row) => row.name);
  return { publisher, greeter: publisher.host.api(greeterContract), delivery, queue: queues.queue(eventQueueName('sub')), received };
};

const outbox = (db: Database) =>
  selectRows<{ event_id: string; event_type: string; payload: { name: string }; occurred_at: Date | string; status: string; attempts: number }>(
    db,
    sql`select event_id, event_type, payload, occurred_at, status, attempts from pub.outbox order by occurred_at`,
  );

const envelopeOf = (row: { event_id: string; event_type: string; payload: unknown; occurred_at: Date | string }): EventEnvelope => ({
  id: row.event_id,
  type: row.event_type,
  payload: row.payload,
  occurredAt: new Date(row.occurred_at).toISOString(),
});

describe('batches over BullMQ, to a handler that shares transactions', () => {
  it('handles the rest of a batch once, and retries and dead-letters its failing event alone', async () => {
    const log = handlerLog();
    const run = await startProcesses(log);
    await Promise.all(['a', 'b', 'poison', 'c', 'd'].map((name) => run.greeter.greet({ name, fail: false })));

    const [letter, ...more] = await waitFor(() => listDeadLetters({ ...connection(), subscriber: 'sub' }), (found) => found.length > 0, 20_000, 'the dead letter');
    await waitFor(run.received, (names) => names.length === 4, 20_000, 'the other events');
    expect(more).toEqual([]);
    expect(letter).toMatchObject({ attempts: 3, error: 'Error: cannot handle poison', data: { payload: { name: 'poison' } } });
    expect(await run.received()).toEqual(['a', 'b', 'c', 'd']);
    // Three attempts (the letter's count); an attempt made in a shared transaction also ran alone after it rolled back.
    expect(log.calls.filter((name) => name === 'poison').length).toBeGreaterThanOrEqual(3);
    // Its last attempt ran in a transaction no other event shared.
    expect(['a', 'b', 'c', 'd'].map((name) => log.transactionOf.get(name))).not.toContain(log.transactionOf.get('poison'));
    expect((await outbox(run.publisher.db)).map((row) => row.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    expect(await run.queue.getJobCounts('failed', 'waiting', 'delayed', 'active')).toEqual({ failed: 0, waiting: 0, delayed: 0, active: 0 });
  });

  it('changes nothing when a handled batch is delivered again under other job ids', async () => {
    const log = handlerLog();
    const run = await startProcesses(log);
    await Promise.all(['a', 'b', 'c'].map((name) => run.greeter.greet({ name, fail: false })));
    await waitFor(run.received, (names) => names.length === 3, 20_000, 'the batch');
    const calls = log.calls.length;

    const again = (await outbox(run.publisher.db)).map(envelopeOf);
    const jobs = await run.queue.addBulk(again.map((event) => ({ name: event.type, data: event, opts: { jobId: `${event.id}-again` } })));
    await waitFor(() => Promise.all(jobs.map((job) => job.getState())), (states) => states.every((state) => state === 'completed'), 20_000, 'the redelivered jobs');
    expect(log.calls).toHaveLength(calls);
    expect(await run.received()).toEqual(['a', 'b', 'c']);
  });

  it('delivers again, without a second handling, what a relay enqueued but died before marking', async () => {
    const log = handlerLog();
    const run = await startProcesses(log);
    await run.publisher.host.relay.stop(); // the relays of this test are made by hand
    await Promise.all(['a', 'b', 'c'].map((name) => run.greeter.greet({ name, fail: false })));

    // A relay that freezes for good once its addBulk has landed: to the others it is dead.
    const frozen: Deliver = async (subscriber: string, event: EventEnvelope) => {
      await run.delivery(subscriber, event);
      await new Promise<never>(() => undefined);
    };
    const relayOptions = { db: run.publisher.db, schemas: ['pub'], logger: silent, leaseSeconds: 1, gathers: () => true };
    void new OutboxRelay({ ...relayOptions, deliver: frozen }).drain();
    await waitFor(run.received, (names) => names.length === 3, 20_000, 'the first delivery');
    expect((await outbox(run.publisher.db)).map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);

    // One job trimmed meanwhile (retention), two still there: the redelivery must be harmless both ways.
    const [first] = await outbox(run.publisher.db);
    await (await run.queue.getJob(first!.event_id))?.remove();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the frozen relay's lease lapses
    expect(await new OutboxRelay({ ...relayOptions, deliver: run.delivery }).drain()).toBe(3);
    await waitFor(async () => (await run.queue.getJob(first!.event_id))?.getState(), (state) => state === 'completed', 20_000, 'the re-enqueued job');

    expect(await outbox(run.publisher.db)).toMatchObject([
      { status: 'delivered', attempts: 2 },
      { status: 'delivered', attempts: 2 },
      { status: 'delivered', attempts: 2 },
    ]);
    expect([...log.calls].sort()).toEqual(['a', 'b', 'c']);
    expect(await run.received()).toEqual(['a', 'b', 'c']);
  });
});
