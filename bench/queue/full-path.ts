/**
 * @module bench:queue's full path: a publisher host (its module writes each event to its outbox
 * in the transaction of its own row) whose relay delivers over `queueDelivery`, and a
 * subscriber host whose queue consumer runs `deliverLocal` (inbox + handler), both on one
 * PostgreSQL server with a connection pool each, as two processes would have.
 *
 * Two subscribers: the stock one (one transaction per event) and the same handler opted into
 * sharing transactions (`shareTransaction`), and for each:
 *   a) live: timed from the first publication to the last row the subscriber's handler wrote;
 *   b) backlog: rows published with the relay stopped, then timed from the relay's start to
 *      the last handler row: what relay, queue and consumer sustain without the publishers.
 * Beside each rate, the CPU each event cost this process, PostgreSQL and Redis: where the
 * time goes (on a machine this busy, CPU per event moves less than events per second).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/kernel/config.js';
import { openDatabase, selectRows, type DatabaseHandle } from '../../src/kernel/database.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { AnyModule } from '../../src/kernel/module.js';
import { ModuleHost, type ModuleHostOptions } from '../../src/kernel/module-host.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import { queueDelivery, startEventConsumer } from '../../src/transport/queue/events.js';
import { greeterContract, greeterModule, listenerModule } from '../../test/support/greeter-modules.js';
import type { PostgresServer } from '../../test/support/postgres-server.js';
import { postgresCpuMs } from '../checkout/postgres-cpu.js';

export const fullPathEvents = 3_000;
export const publishersInFlight = 16;
const budgetMs = 60_000;
const workerConcurrency = 50;

/** The subscriber of a run: the stock listener, or the same handler allowed to share transactions. */
export interface Subscriber {
  readonly label: string;
  readonly module: AnyModule;
}

/** The stock listener, its handler registered with `shareTransaction`. */
const sharingListener: typeof listenerModule = {
  ...listenerModule,
  create: (context) => listenerModule.create({ ...context, on: (contract, event, handler) => context.on(contract, event, handler, { shareTransaction: true }) }),
};

export const subscribers: readonly Subscriber[] = [
  { label: 'one transaction per event', module: listenerModule },
  { label: 'handlers sharing transactions', module: sharingListener },
];

/** CPU microseconds per event: this process, the PostgreSQL server, the Redis server. */
export interface CpuPerEvent {
  readonly node: number;
  readonly postgres: number;
  readonly redis: number;
}

export interface Phase {
  readonly eventsPerSecond: number;
  readonly counted: number;
  readonly cpu: CpuPerEvent;
}

export interface FullPathRun {
  readonly subscriber: string;
  readonly live: Phase;
  /** Publishing alone (the relay stopped): what the publishers cost before anything is delivered. */
  readonly publishOnly: Phase;
  readonly backlog: Phase;
}

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

/** Calls `work(i)` for i in [0, count) with `inFlight` at once, until done or `deadline`. */
export const pump = async (count: number, inFlight: number, deadline: number, work: (index: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count && Date.now() < deadline) await work(next++);
    }),
  );
};

/** Measures CPU from now until the returned function is called with the number of events. */
const cpuMeter = async (redis: Redis, dataDir: string | undefined) => {
  const redisCpuMs = async (): Promise<number> => {
    const info = await redis.info('cpu');
    const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? Number.NaN);
    return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
  };
  const pgMs = (): number => (dataDir === undefined ? Number.NaN : postgresCpuMs(dataDir));
  const node = process.cpuUsage();
  const postgres = pgMs();
  const redisMs = await redisCpuMs();
  return async (events: number): Promise<CpuPerEvent> => {
    const used = process.cpuUsage(node);
    return {
      node: (used.user + used.system) / events,
      postgres: ((pgMs() - postgres) * 1000) / events,
      redis: (((await redisCpuMs()) - redisMs) * 1000) / events,
    };
  };
};

/** Runs `subscriber` through the live and the backlog phase, on fresh tables and a fresh queue prefix. */
export const fullPathRun = async (redisUrl: string, database: { postgres?: PostgresServer }, subscriber: Subscriber): Promise<FullPathRun> => {
  const { postgres } = database;
  const open = () => openDatabase(postgres ? { kind: 'postgres', url: postgres.url } : { kind: 'pglite', dataDir: 'memory://' });
  const publisherDb = await open();
  const subscriberDb = await open();
  const prefix = `full${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  const delivery = queueDelivery({ connection: redisUrl, prefix });
  let subscriberHost: ModuleHost | undefined;
  let publisher: ModuleHost | undefined;
  let consumer: { close(): Promise<void> } | undefined;
  try {
    subscriberHost = await startHost(subscriberDb, [subscriber.module]);
    const sub = subscriberHost;
    consumer = await startEventConsumer({ connection: redisUrl, prefix, subscriber: 'sub', concurrency: workerConcurrency, handle: (event) => sub.deliverLocal('sub', event) });
    publisher = await startHost(publisherDb, [greeterModule], { allModules: [greeterModule, subscriber.module], deliverRemote: delivery });
    // Runs share the server: each starts from empty tables (the migrations ran in the first).
    if (postgres) await subscriberDb.db.execute(sql`truncate pub.greetings, pub.outbox, sub.inbox, sub.received`);
    const greeter = publisher.api(greeterContract);
    const received = async () => (await selectRows<{ count: number }>(subscriberDb.db, sql`select count(*)::int as count from sub.received`))[0]?.count ?? 0;
    await greeter.greet({ name: 'warm-up', fail: false });
    while ((await received()) < 1) await sleep(10);
    const waitFor = async (count: number, deadline: number): Promise<number> => {
      let seen = 0;
      while ((seen = await received()) < count && Date.now() < deadline) await sleep(10);
      return seen;
    };

    // a) Live: the relay delivers while the publishers publish.
    let base = await received();
    let meter = await cpuMeter(redis, postgres?.dataDir);
    let started = performance.now();
    let deadline = Date.now() + budgetMs;
    await pump(fullPathEvents, publishersInFlight, deadline, (index) => greeter.greet({ name: `live-${index}`, fail: false }));
    let counted = (await waitFor(base + fullPathEvents, deadline)) - base;
    const live: Phase = { counted, eventsPerSecond: (counted / (performance.now() - started)) * 1000, cpu: await meter(counted) };

    // b) Backlog: rows pile up with the relay stopped, then relay, queue and consumer drain them.
    base = await received();
    await publisher.relay.stop();
    meter = await cpuMeter(redis, postgres?.dataDir);
    started = performance.now();
    await pump(fullPathEvents, publishersInFlight, Date.now() + budgetMs, (index) => greeter.greet({ name: `backlog-${index}`, fail: false }));
    const publishOnly: Phase = { counted: fullPathEvents, eventsPerSecond: (fullPathEvents / (performance.now() - started)) * 1000, cpu: await meter(fullPathEvents) };
    meter = await cpuMeter(redis, postgres?.dataDir);
    started = performance.now();
    deadline = Date.now() + budgetMs;
    publisher.relay.start();
    counted = (await waitFor(base + fullPathEvents, deadline)) - base;
    const backlog: Phase = { counted, eventsPerSecond: (counted / (performance.now() - started)) * 1000, cpu: await meter(counted) };
    return { subscriber: subscriber.label, live, publishOnly, backlog };
  } finally {
    await publisher?.stop();
    await consumer?.close();
    await subscriberHost?.stop();
    await delivery.close();
    await redis.quit();
    await publisherDb.close();
    await subscriberDb.close();
  }
};
