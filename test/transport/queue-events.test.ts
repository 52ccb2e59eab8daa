/**
 * Events over the queue binding, next to the in-process path: the same test body runs against
 * one host whose relay delivers locally, and against two hosts (publisher, subscriber) joined
 * by BullMQ on a throwaway redis-server. Then what only the queue has: one job per event id,
 * retries, the dead-letter queue and replay, the start-up sweep, malformed jobs, graceful close.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContractApi } from '../../src/kernel/contract.js';
import { selectRows, type Database } from '../../src/kernel/database.js';
import type { EventEnvelope } from '../../src/kernel/events.js';
import type { AnyModule } from '../../src/kernel/module.js';
import type { ModuleHostOptions } from '../../src/kernel/module-host.js';
import { QueueClient } from '../../src/transport/queue/connection.js';
import { listDeadLetters, replayAll, replayDeadLetter } from '../../src/transport/queue/dead-letters.js';
import { formatTraceparent, parseTraceparent, runInCall } from '../../src/kernel/call-context.js';
import { queueDelivery, startEventConsumer } from '../../src/transport/queue/events.js';
import { deadEventQueueName, eventQueueName } from '../../src/transport/queue/wire.js';
import { greeterContract, greeterModule, listenerContract, listenerControl, listenerModule } from '../support/greeter-modules.js';
import { redisForThisFile } from '../support/redis-per-file.js';
import { startTestHost } from '../support/test-host.js';
import { waitFor } from '../support/wait-for.js';

const redis = redisForThisFile();
/** A fresh BullMQ prefix per test, so no test sees another's queues. */
let prefix: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  prefix = `t${randomUUID().slice(0, 8)}`;
  listenerControl.down = false;
  listenerControl.calls = 0;
  listenerControl.calledIn.clear();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const connection = () => ({ connection: redis.url(), prefix });

const startHost = async (modules: readonly AnyModule[], options: Pick<ModuleHostOptions, 'allModules' | 'deliverRemote'> = {}) => {
  const started = await startTestHost(modules, {}, { relay: { pollIntervalMs: 20 }, ...options });
  cleanups.push(() => started.stop());
  return { host: started.host, db: started.database.db };
};

/** What the shared test body needs from a way of running publisher and subscriber. */
interface Running {
  readonly greeter: ContractApi<typeof greeterContract>;
  readonly listener: ContractApi<typeof listenerContract>;
  readonly publisherDb: Database;
  /** Hands `event` to the subscriber again, the way this path would redeliver it; resolves once handled. */
  redeliver(event: EventEnvelope): Promise<void>;
}

interface EventPath {
  readonly name: string;
  start(): Promise<Running>;
}

const inProcess: EventPath = {
  name: 'in process (one host, relay delivers locally)',
  async start() {
    const { host, db } = await startHost([greeterModule, listenerModule]);
    return {
      greeter: host.api(greeterContract),
      listener: host.api(listenerContract),
      publisherDb: db,
      redeliver: (event) => host.deliverLocal('sub', event),
    };
  },
};

const consumerPolicy = { concurrency: 10, attempts: 3, backoff: { type: 'exponential', delay: 10 } } as const;

/** Starts the subscriber's host and its queue consumer: the subscriber's process. */
const startSubscriberProcess = async () => {
  const subscriber = await startHost([listenerModule]);
  const consumer = await startEventConsumer({ ...connection(), ...consumerPolicy, subscriber: 'sub', handle: (event) => subscriber.host.deliverLocal('sub', event) });
  cleanups.push(() => consumer.close());
  return { ...subscriber, consumer };
};

const overBullmq: EventPath = {
  name: 'over BullMQ (publisher and subscriber in two hosts)',
  async start() {
    const subscriber = await startSubscriberProcess();
    const delivery = queueDelivery(connection());
    cleanups.push(() => delivery.close());
    const publisher = await startHost([greeterModule], { allModules: [greeterModule, listenerModule], deliverRemote: delivery });
    const queues = new QueueClient(connection());
    cleanups.push(() => queues.close());
    return {
      greeter: publisher.host.api(greeterContract),
      listener: subscriber.host.api(listenerContract),
      publisherDb: publisher.db,
      async redeliver(event) {
        // The same envelope under another job id: what a second publication of it would be.
        const job = await queues.queue(eventQueueName('sub')).add(event.type, event, { jobId: `${event.id}-again-${randomUUID()}` });
        await waitFor(() => job.getState(), (state) => state === 'completed', 20_000, 'the redelivered job to complete');
      },
    };
  },
};

const names = async (run: Running): Promise<string[]> => (await run.listener.received({})).names.sort();

const outbox = (db: Database) =>
  selectRows<{ event_id: string; event_type: string; payload: unknown; occurred_at: Date | string; status: string }>(
    db,
    sql`select event_id, event_type, payload, occurred_at, status from pub.outbox order by occurred_at`,
  );

const envelopeOf = (row: { event_id: string; event_type: string; payload: unknown; occurred_at: Date | string }): EventEnvelope => ({
  id: row.event_id,
  type: row.event_type,
  payload: row.payload,
  occurredAt: new Date(row.occurred_at).toISOString(),
});

describe.each([inProcess, overBullmq])('events $name', (path) => {
  it('delivers each committed event once, and a redelivery has no second effect', async () => {
    const run = await path.start();
    await run.greeter.greet({ name: 'Ada', fail: false });
    await run.greeter.greet({ name: 'Ghost', fail: true });
    await run.greeter.greet({ name: 'Grace', fail: false });

    await waitFor(() => names(run), (received) => received.length >= 2, 20_000, 'both events');
    const rows = await waitFor(() => outbox(run.publisherDb), (all) => all.every((row) => row.status === 'delivered'), 20_000, 'the outbox to drain');
    expect(rows).toHaveLength(2);
    expect(await names(run)).toEqual(['Ada', 'Grace']);
    expect(listenerControl.calls).toBe(2);

    await run.redeliver(envelopeOf(rows[0]!));
    await run.redeliver(envelopeOf(rows[0]!));
    expect(await names(run)).toEqual(['Ada', 'Grace']);
    expect(listenerControl.calls).toBe(2); // the inbox turned the redeliveries away before the handler
  });

  it('runs the handler in the trace of the call that published the event', async () => {
    const run = await path.start();
    const publishedIn = { traceId: 'e'.repeat(32), spanId: 'f'.repeat(16) };
    await runInCall(publishedIn, () => run.greeter.greet({ name: 'Traced', fail: false }));
    await waitFor(async () => listenerControl.calledIn.size, (size) => size === 1, 20_000, 'the event');
    expect(listenerControl.calledIn.get('Traced')).toMatchObject({ traceId: publishedIn.traceId });
    expect(listenerControl.calledIn.get('Traced')!.spanId).not.toBe(publishedIn.spanId);
  });
});

describe('events over BullMQ', () => {
  const event = (name: string): EventEnvelope => ({ id: randomUUID(), type: 'greeter/v1#Greeted', payload: { name }, occurredAt: new Date().toISOString() });

  it('enqueues an event delivered twice once while its job exists (job id = event id)', async () => {
    const delivery = queueDelivery(connection());
    const queues = new QueueClient(connection());
    cleanups.push(() => delivery.close(), () => queues.close());
    const ada = { ...event('Ada'), traceparent: formatTraceparent('a'.repeat(32), 'b'.repeat(16)) };
    await delivery('sub', ada);
    await delivery('sub', ada);
    await delivery('sub', event('Grace'));
    const queue = queues.queue(eventQueueName('sub'));
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
    // The job is the event, carrying the trace of the span that sent it: the event's trace, another span.
    const { traceparent, ...job } = (await queue.getJob(ada.id))?.data as typeof ada;
    const { traceparent: published, ...sent } = ada;
    expect(job).toEqual(sent);
    expect(parseTraceparent(traceparent)).toMatchObject({ traceId: 'a'.repeat(32), parentId: expect.not.stringMatching(published.slice(36, 52)) });
  });

  it('retries a failing event, dead-letters it after the last attempt, and replays it once fixed', async () => {
    listenerControl.down = true;
    const run = await overBullmq.start();
    await run.greeter.greet({ name: 'Linus', fail: false });
    await run.greeter.greet({ name: 'Barbara', fail: false });

    const letters = await waitFor(() => listDeadLetters({ ...connection(), subscriber: 'sub' }), (found) => found.length === 2, 20_000, 'two dead letters');
    const rows = await outbox(run.publisherDb);
    expect(rows.map((row) => row.status)).toEqual(['delivered', 'delivered']); // the relay's part succeeded
    const linus = envelopeOf(rows[0]!);
    expect(letters.find((letter) => letter.id === linus.id)).toMatchObject({
      queue: eventQueueName('sub'),
      name: 'greeter/v1#Greeted',
      data: linus,
      attempts: 3,
      error: 'Error: subscriber is down',
    });
    expect(listenerControl.calls).toBe(6);
    const queues = new QueueClient(connection());
    cleanups.push(() => queues.close());
    // Moved, not copied: the main queue's failed set is empty, so a replay can reuse the job id.
    expect(await queues.queue(eventQueueName('sub')).getJobCounts('failed', 'waiting', 'delayed', 'active')).toEqual({ failed: 0, waiting: 0, delayed: 0, active: 0 });
    expect(await names(run)).toEqual([]);

    listenerControl.down = false;
    expect(await replayDeadLetter({ ...connection(), subscriber: 'sub', id: linus.id })).toBe(true);
    await waitFor(() => names(run), (received) => received.length === 1, 20_000, 'the replayed event');
    expect(await names(run)).toEqual(['Linus']);
    expect(await replayDeadLetter({ ...connection(), subscriber: 'sub', id: linus.id })).toBe(false);

    expect(await replayAll({ ...connection(), subscriber: 'sub' })).toBe(1);
    await waitFor(() => names(run), (received) => received.length === 2, 20_000, 'the rest replayed');
    expect(await names(run)).toEqual(['Barbara', 'Linus']);
    expect(await listDeadLetters({ ...connection(), subscriber: 'sub' })).toEqual([]);
  });

  it('dead-letters at start what failed for good while no Seam consumer was there to', async () => {
    const queues = new QueueClient(connection());
    cleanups.push(() => queues.close());
    const lost = event('Margaret');
    await queues.queue(eventQueueName('sub')).add(lost.type, lost, { jobId: lost.id });
    // A bare BullMQ worker fails the job and parks nothing, as a consumer that died would.
    const bare = new Worker(eventQueueName('sub'), async () => Promise.reject(new Error('died mid-flight')), { connection: { url: redis.url() }, prefix });
    await waitFor(() => queues.queue(eventQueueName('sub')).getJobCounts('failed'), (counts) => counts.failed === 1, 20_000, 'the bare worker to fail the job');
    await bare.close();

    await startSubscriberProcess();
    const [letter] = await waitFor(() => listDeadLetters({ ...connection(), subscriber: 'sub' }), (found) => found.length === 1, 20_000, 'the sweep');
    expect(letter).toMatchObject({ id: lost.id, data: lost, attempts: 1, error: 'died mid-flight' });
  });

  it('dead-letters a job that is not an event envelope at once, without calling the handler', async () => {
    const handled: EventEnvelope[] = [];
    const consumer = await startEventConsumer({ ...connection(), ...consumerPolicy, subscriber: 'sub', handle: async (e) => void handled.push(e) });
    const queues = new QueueClient(connection());
    cleanups.push(() => consumer.close(), () => queues.close());
    await queues.queue(eventQueueName('sub')).add('junk', { hello: 'world' }, { jobId: 'junk-1', attempts: 5 });
    const [letter] = await waitFor(() => listDeadLetters({ ...connection(), subscriber: 'sub' }), (found) => found.length === 1, 20_000, 'the junk to be dead-lettered');
    expect(letter).toMatchObject({ id: 'junk-1', attempts: 1, queue: eventQueueName('sub') });
    expect(letter?.error).toMatch(/^UnrecoverableError: Job junk-1 is not an event envelope: id: /);
    expect(handled).toEqual([]);
    expect(await queues.queue(deadEventQueueName('sub')).getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('finishes the events in flight before close() resolves', async () => {
    const handled: string[] = [];
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const consumer = await startEventConsumer({
      ...connection(),
      ...consumerPolicy,
      subscriber: 'sub',
      handle: async (e) => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 300));
        handled.push(e.id);
      },
    });
    const delivery = queueDelivery(connection());
    const queues = new QueueClient(connection());
    cleanups.push(() => delivery.close(), () => queues.close());
    const slow = event('Slow');
    await delivery('sub', slow);
    await running;
    await consumer.close();
    expect(handled).toEqual([slow.id]);
    expect(await (await queues.queue(eventQueueName('sub')).getJob(slow.id))?.getState()).toBe('completed');
  });
});
