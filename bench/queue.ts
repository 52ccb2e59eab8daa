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
 * 2. Full path (bench/queue/full-path.ts): outbox row -> relay -> queue -> consumer -> inbox +
 *    handler on a real PostgreSQL, live and from a backlog, with the stock subscriber (one
 *    transaction per event) and the same handler sharing transactions, alternating; with the
 *    CPU each event cost this process, PostgreSQL and Redis.
 * 3. The live full path's events/s beside bare BullMQ's from 1., against the target (2,500).
 *
 * Every loop is bounded in count and time; servers are stopped at the end and on error.
 * Figures, not assertions: the process exits 0 whether or not the target is met.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { EventEnvelope } from '../src/kernel/events.js';
import { queueDelivery, startEventConsumer } from '../src/transport/queue/events.js';
import { retention } from '../src/transport/queue/wire.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server.js';
import { startRedis, type RedisServer } from '../test/support/redis-server.js';
import { fullPathEvents, fullPathRun, publishersInFlight, pump, subscribers, type FullPathRun, type Phase } from './queue/full-path.js';
import { median } from './stats.js';

const jobsPerRound = 20_000;
const rounds = 3;
const roundBudgetMs = 20_000;
const warmupJobs = 2_000;
const workerConcurrency = 50;
/** Adds awaited at once by the producer, the same for both. */
const addsInFlight = 64;
/** Rounds of the full path per subscriber, alternating between them. */
const fullPathRounds = 2;
/** What the live full path should reach, end to end (issue 15). */
const liveTarget = 2_500;

const envelope = (index: number): EventEnvelope => ({
  id: randomUUID(),
  type: 'greeter/v1#Greeted',
  payload: { name: `bench-${index}` },
  occurredAt: new Date().toISOString(),
});

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

/** Runs bare and binding rounds alternately; resolves with bare BullMQ's median events/s. */
const compare = async (url: string): Promise<number> => {
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
    return median(bare);
  } finally {
    await flush.quit();
  }
};

/** Runs each subscriber `fullPathRounds` times, alternating, on one PostgreSQL server (PGlite if none is installed). */
const fullPath = async (url: string): Promise<Map<string, FullPathRun[]>> => {
  let postgres: PostgresServer | undefined;
  try {
    postgres = await startPostgres();
  } catch (error) {
    console.log(`  (no PostgreSQL: ${error instanceof Error ? error.message.split('\n')[0] : error}; using PGlite, two in-memory databases)`);
  }
  const runs = new Map<string, FullPathRun[]>(subscribers.map((subscriber) => [subscriber.label, []]));
  try {
    for (let round = 0; round < fullPathRounds; round += 1) {
      for (const subscriber of subscribers) {
        const run = await fullPathRun(url, { postgres }, subscriber);
        runs.get(subscriber.label)!.push(run);
        const cpu = (phase: Phase): string => `CPU per event: node ${fmt(phase.cpu.node)} us, postgres ${fmt(phase.cpu.postgres)} us, redis ${fmt(phase.cpu.redis)} us`;
        console.log(`  round ${round + 1}, ${subscriber.label}:`);
        console.log(`    live (end to end)          ${fmt(run.live.eventsPerSecond).padStart(6)} events/s   ${cpu(run.live)}${run.live.counted < fullPathEvents ? `  (only ${run.live.counted} arrived in time)` : ''}`);
        console.log(`    publishing only            ${fmt(run.publishOnly.eventsPerSecond).padStart(6)} events/s   ${cpu(run.publishOnly)}`);
        console.log(`    backlog (relay -> handler) ${fmt(run.backlog.eventsPerSecond).padStart(6)} events/s   ${cpu(run.backlog)}${run.backlog.counted < fullPathEvents ? `  (only ${run.backlog.counted} arrived in time)` : ''}`);
      }
    }
  } finally {
    await postgres?.stop();
  }
  return runs;
};

let redisServer: RedisServer | undefined;
try {
  redisServer = await startRedis();
  console.log(`bench:queue — ${jobsPerRound} events per round, ${rounds} rounds each, worker concurrency ${workerConcurrency}, ${addsInFlight} adds in flight`);
  console.log('');
  console.log('1. binding vs bare BullMQ (publish -> Redis -> worker -> no-op handler)');
  const bare = await compare(redisServer.url);
  console.log('');
  console.log(`2. full path: outbox row -> relay -> queue -> consumer -> inbox + handler (${fullPathEvents} events, ${publishersInFlight} publishers, ${fullPathRounds} rounds each)`);
  const runs = await fullPath(redisServer.url);
  console.log('');
  console.log(`3. live, end to end (the slower of ${fullPathRounds} rounds) against bare BullMQ on the same Redis (median of ${rounds} rounds)`);
  console.log(`  bare BullMQ (add + Worker, no database)      ${fmt(bare).padStart(6)} events/s`);
  for (const [label, subscriberRuns] of runs) {
    const live = Math.min(...subscriberRuns.map((run) => run.live.eventsPerSecond));
    const verdict = `target >= ${fmt(liveTarget)}: ${live >= liveTarget ? 'met' : 'NOT met'}`;
    console.log(`  full path, ${label.padEnd(34)} ${fmt(live).padStart(6)} events/s   ${(live / bare).toFixed(2)} x bare   (${verdict})`);
  }
} finally {
  await redisServer?.stop();
}
