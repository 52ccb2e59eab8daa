/**
 * @module `npm run bench:queue`: events per second through the queue binding, next to bare
 * BullMQ on the same Redis, and end to end from outbox row to inbox.
 *
 * 1. Binding vs bare BullMQ, on a throwaway redis-server (test/support/redis-server.ts):
 *    - bare: `Queue.add` of an envelope-sized job, one `Worker` (concurrency 50) whose
 *      processor counts it; the same retention options the binding uses, so both trim alike;
 *    - binding: `queueDelivery(...)(subscriber, envelope)` and `startEventConsumer` (one
 *      worker, concurrency 50) whose handler counts it: what the binding adds is the event-id
 *      job id, the retry policy, envelope validation and the dead-letter wiring.
 *    Both keep the same number of adds in flight. Rounds alternate bare and binding so drift
 *    (JIT, GC, a busy machine) hits both; each round is a fresh queue; the median round counts.
 *    Target: binding >= 0.8 x bare. For scale, one bare Worker also drains a queue filled
 *    beforehand: the ceiling of a single worker here, with Redis and the adds out of the way.
 * 2. Full path: a publisher host (its module writes the event to its outbox in the same
 *    transaction as its row) whose relay delivers over `queueDelivery`, and a subscriber host
 *    whose consumer runs `deliverLocal` (inbox + handler in one transaction), both on a real
 *    PostgreSQL (test/support/postgres-server.ts; PGlite if none is installed):
 *    a) live: timed from the first publication to the last row the subscriber's handler wrote;
 *    b) backlog: rows published with the relay stopped, then timed from the relay's start to
 *       the last handler row: what relay, queue and consumer sustain, without the publishers.
 *
 * Every loop is bounded in count and time; servers are stopped at the end and on error.
 * Figures, not assertions: the process exits 0 whether or not the target is met.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/kernel/config.js';
import { openDatabase, selectRows, type DatabaseHandle } from '../src/kernel/database.js';
import type { EventEnvelope } from '../src/kernel/events.js';
import { createLogger } from '../src/kernel/logger.js';
import type { AnyModule } from '../src/kernel/module.js';
import { ModuleHost, type ModuleHostOptions } from '../src/kernel/module-host.js';
import { inProcessBinder } from '../src/transport/in-process.js';
import { queueDelivery, startEventConsumer } from '../src/transport/queue/events.js';
import { retention } from '../src/transport/queue/wire.js';
import { greeterContract, greeterModule, listenerModule } from '../test/support/greeter-modules.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server.js';
import { startRedis, type RedisServer } from '../test/support/redis-server.js';
import { median } from './stats.js';

const jobsPerRound = 20_000;
const rounds = 3;
const roundBudgetMs = 20_000;
const warmupJobs = 2_000;
const workerConcurrency = 50;
/** Adds awaited at once by the producer, the same for both. */
const addsInFlight = 64;
const fullPathEvents = 3_000;
const fullPathBudgetMs = 30_000;
const publishersInFlight = 16;

const envelope = (index: number): EventEnvelope => ({
  id: randomUUID(),
  type: 'greeter/v1#Greeted',
  payload: { name: `bench-${index}` },
  occurredAt: new Date().toISOString(),
});

/** Calls `work(i)` for i in [0, count) with `inFlight` at once, until done or `deadline`. */
const pump = async (count: number, inFlight: number, deadline: number, work: (index: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count && Date.now() < deadline) await work(next++);
    }),
  );
};

/** Resolves when `counter()` reaches `count` or at `deadline`; with how many were counted. */
const until = async (counter: () => number, count: number, deadline: number): Promise<number> => {
  while (counter() < count && Date.now() < deadline) await sleep(2);
  return counter();
};

interface Round {
  readonly processed: number;
  readonly ms: number;
}

const perSecond = (round: Round): number => (round.processed / round.ms) * 1000;

/** Bare BullMQ: add + Worker. */
const bareRound = async (url: string, jobs: number): Promise<Round> => {
  const prefix = `bare${randomUUID().slice(0, 8)}`;
  const name = 'bench.bare';
  let processed = 0;
  const queue = new Queue(name, { connection: { url }, prefix });
  const worker = new Worker(name, async () => void (processed += 1), { connection: { url }, prefix, concurrency: workerConcurrency });
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    const started = performance.now();
    const deadline = Date.now() + roundBudgetMs;
    await pump(jobs, addsInFlight, deadline, (index) =>
      queue.add('greeter/v1#Greeted', envelope(index), { removeOnComplete: retention.completed, removeOnFail: retention.failed }),
    );
    const counted = await until(() => processed, jobs, deadline);
    return { processed: counted, ms: performance.now() - started };
  } finally {
    await worker.close();
    await queue.close();
  }
};

/**
 * Bare BullMQ's worker alone: the queue filled first (addBulk), then one Worker timed while it
 * drains it. What one worker can process at all on this machine, whoever adds the jobs.
 */
const drainOnlyRound = async (url: string, jobs: number): Promise<Round> => {
  const prefix = `drain${randomUUID().slice(0, 8)}`;
  const name = 'bench.drain';
  let processed = 0;
  const queue = new Queue(name, { connection: { url }, prefix });
  let worker: Worker | undefined;
  try {
    for (let start = 0; start < jobs; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, jobs - start) }, (_, offset) => ({
        name: 'greeter/v1#Greeted',
        data: envelope(start + offset),
        opts: { removeOnComplete: retention.completed, removeOnFail: retention.failed },
      }));
      await queue.addBulk(batch);
    }
    const started = performance.now();
    const deadline = Date.now() + roundBudgetMs;
    worker = new Worker(name, async () => void (processed += 1), { connection: { url }, prefix, concurrency: workerConcurrency });
    const counted = await until(() => processed, jobs, deadline);
    return { processed: counted, ms: performance.now() - started };
  } finally {
    await worker?.close();
    await queue.close();
  }
};

/** The binding: queueDelivery + startEventConsumer. */
const bindingRound = async (url: string, jobs: number): Promise<Round> => {
  const prefix = `bind${randomUUID().slice(0, 8)}`;
  let processed = 0;
  const delivery = queueDelivery({ connection: url, prefix });
  const consumer = await startEventConsumer({ connection: url, prefix, subscriber: 'bench', concurrency: workerConcurrency, handle: async () => void (processed += 1) });
  try {
    await delivery('warm-up-connection', envelope(-1)); // the producer connects lazily; not part of the timing
    const started = performance.now();
    const deadline = Date.now() + roundBudgetMs;
    await pump(jobs, addsInFlight, deadline, (index) => delivery('bench', envelope(index)));
    const counted = await until(() => processed, jobs, deadline);
    return { processed: counted, ms: performance.now() - started };
  } finally {
    await consumer.close();
    await delivery.close();
  }
};


const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');

const compare = async (url: string): Promise<void> => {
  const flush = new Redis(url);
  try {
    await bareRound(url, warmupJobs);
    await bindingRound(url, warmupJobs);
    await flush.flushall();
    const bare: number[] = [];
    const binding: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const [label, run, into] of [
        ['bare', bareRound, bare],
        ['binding', bindingRound, binding],
      ] as const) {
        const result = await run(url, jobsPerRound);
        into.push(perSecond(result));
        console.log(`  round ${round + 1} ${label.padEnd(7)} ${fmt(result.processed)} events in ${fmt(result.ms)} ms: ${fmt(perSecond(result))} events/s`);
        await flush.flushall();
      }
    }
    const drained = await drainOnlyRound(url, jobsPerRound);
    await flush.flushall();
    const ratio = median(binding) / median(bare);
    console.log('');
    console.log(`  bare BullMQ (add + Worker)            ${fmt(median(bare)).padStart(8)} events/s`);
    console.log(`  binding (queueDelivery + consumer)    ${fmt(median(binding)).padStart(8)} events/s`);
    console.log(`  ratio binding / bare                  ${ratio.toFixed(2).padStart(8)}   (target >= 0.80: ${ratio >= 0.8 ? 'met' : 'NOT met'})`);
    console.log(`  for scale: one bare Worker draining a pre-filled queue, nothing adding: ${fmt(perSecond(drained))} events/s`);
  } finally {
    await flush.quit();
  }
};

const startHost = async (database: DatabaseHandle, modules: readonly AnyModule[], options: Pick<ModuleHostOptions, 'allModules' | 'deliverRemote'> = {}) => {
  const host = new ModuleHost({
    database,
    config: loadConfig({ NODE_ENV: 'test', PGLITE_DIR: 'memory://' }),
    logger: createLogger({ level: 'warn' }),
    bind: inProcessBinder({ validate: false }),
    ...options,
  });
  await host.start(modules);
  return host;
};

const fullPath = async (url: string): Promise<void> => {
  let postgresServer: PostgresServer | undefined;
  try {
    postgresServer = await startPostgres();
  } catch (error) {
    console.log(`  (no PostgreSQL: ${error instanceof Error ? error.message.split('\n')[0] : error}; using PGlite)`);
  }
  const open = () => openDatabase(postgresServer ? { kind: 'postgres', url: postgresServer.url } : { kind: 'pglite', dataDir: 'memory://' });
  // Two handles, as two processes would have; on PGlite, two separate databases.
  const publisherDb = await open();
  const subscriberDb = await open();
  const delivery = queueDelivery({ connection: url, prefix: 'full' });
  let subscriber: ModuleHost | undefined;
  let publisher: ModuleHost | undefined;
  let consumer: { close(): Promise<void> } | undefined;
  try {
    subscriber = await startHost(subscriberDb, [listenerModule]);
    const sub = subscriber;
    consumer = await startEventConsumer({ connection: url, prefix: 'full', subscriber: 'sub', concurrency: workerConcurrency, handle: (event) => sub.deliverLocal('sub', event) });
    publisher = await startHost(publisherDb, [greeterModule], { allModules: [greeterModule, listenerModule], deliverRemote: delivery });
    const greeter = publisher.api(greeterContract);
    await greeter.greet({ name: 'warm-up', fail: false });
    const received = async () => (await selectRows<{ count: number }>(subscriberDb.db, sql`select count(*)::int as count from sub.received`))[0]?.count ?? 0;
    while ((await received()) < 1) await sleep(10);

    let base = 1;
    const consumed = async () => (await received()) - base;
    console.log(`  database                              ${postgresServer ? 'PostgreSQL (one server, two connection pools)' : 'PGlite (two in-memory databases)'}`);

    // a) Live: the relay delivers while the publishers publish.
    let started = performance.now();
    let deadline = Date.now() + fullPathBudgetMs;
    await pump(fullPathEvents, publishersInFlight, deadline, (index) => greeter.greet({ name: `live-${index}`, fail: false }));
    const publishedMs = performance.now() - started;
    let count = 0;
    while ((count = await consumed()) < fullPathEvents && Date.now() < deadline) await sleep(20);
    let ms = performance.now() - started;
    console.log(`  live: published (outbox committed)    ${fmt(fullPathEvents)} in ${fmt(publishedMs)} ms: ${fmt((fullPathEvents / publishedMs) * 1000)} events/s`);
    console.log(`  live: consumed (handler committed)    ${fmt(count)} in ${fmt(ms)} ms: ${fmt((count / ms) * 1000)} events/s end to end`);

    // b) Backlog: rows pile up with the relay stopped, then relay, queue and consumer drain them.
    base = await received();
    await publisher.relay.stop();
    await pump(fullPathEvents, publishersInFlight, Date.now() + fullPathBudgetMs, (index) => greeter.greet({ name: `backlog-${index}`, fail: false }));
    started = performance.now();
    deadline = Date.now() + fullPathBudgetMs;
    publisher.relay.start();
    while ((count = await consumed()) < fullPathEvents && Date.now() < deadline) await sleep(20);
    ms = performance.now() - started;
    console.log(`  backlog: relay -> queue -> consumer   ${fmt(count)} in ${fmt(ms)} ms: ${fmt((count / ms) * 1000)} events/s`);
  } finally {
    await publisher?.stop();
    await consumer?.close();
    await subscriber?.stop();
    await delivery.close();
    await publisherDb.close();
    await subscriberDb.close();
    await postgresServer?.stop();
  }
};

let redisServer: RedisServer | undefined;
try {
  redisServer = await startRedis();
  console.log(`bench:queue — ${jobsPerRound} events per round, ${rounds} rounds each, worker concurrency ${workerConcurrency}, ${addsInFlight} adds in flight`);
  console.log('');
  console.log('1. binding vs bare BullMQ (publish -> Redis -> worker -> no-op handler)');
  await compare(redisServer.url);
  console.log('');
  console.log(`2. full path: outbox row -> relay -> queue -> consumer -> inbox + handler (${fullPathEvents} events, ${publishersInFlight} publishers)`);
  await fullPath(redisServer.url);
} finally {
  await redisServer?.stop();
}
