/**
 * @module Gauges read when Prometheus scrapes, from where the truth is: the outbox tables
 * (rows pending and the oldest one's age, per module), the event queues (jobs per state,
 * per queue, dead letters included) and the database pool (connections in use and waited
 * for). A source that cannot answer leaves its gauge out of that scrape rather than failing it.
 */
import { Gauge, type Registry } from 'prom-client';
import type { DatabaseHandle } from '../kernel/database.js';
import type { Logger } from '../kernel/logger.js';
import { QueueClient } from '../transport/queue/connection.js';
import { deadEventQueueName, eventQueueName } from '../transport/queue/wire.js';
import { outboxBacklog } from './outbox-backlog.js';

/** Rows waiting in each outbox of `schemas` (module = its schema) and how long the oldest has waited. */
export const watchOutboxes = (registry: Registry, database: DatabaseHandle, schemas: readonly string[], logger: Logger): void => {
  const read = async (): Promise<{ schema: string; backlog: number; age: number }[]> => {
    try {
      return await Promise.all(
        schemas.map(async (schema) => {
          const { pending, oldestPendingSeconds } = await outboxBacklog(database.db, schema);
          return { schema, backlog: pending, age: oldestPendingSeconds };
        }),
      );
    } catch (error) {
      logger.warn({ err: error }, 'outbox metrics could not be read');
      return [];
    }
  };
  // One read serves both gauges of a scrape: the backlog's collect reads, the age's uses it.
  let last: Promise<{ schema: string; backlog: number; age: number }[]> = Promise.resolve([]);
  new Gauge({
    name: 'seam_outbox_backlog',
    help: 'Outbox rows not yet delivered, per publishing module',
    labelNames: ['module'] as const,
    registers: [registry],
    async collect() {
      last = read();
      this.reset();
      for (const { schema, backlog } of await last) this.set({ module: schema }, backlog);
    },
  });
  new Gauge({
    name: 'seam_outbox_oldest_pending_age_seconds',
    help: 'How long the oldest undelivered outbox row has waited, per publishing module (0 when none waits)',
    labelNames: ['module'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { schema, age } of await last) this.set({ module: schema }, age);
    },
  });
};

const liveStates = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Jobs per state in the event queues of `subscribers` (modules this service consumes for); closes with the returned function. */
export const watchEventQueues = (registry: Registry, redisUrl: string, subscribers: readonly string[], logger: Logger): (() => Promise<void>) => {
  const client = new QueueClient({ connection: redisUrl });
  new Gauge({
    name: 'seam_queue_jobs',
    help: 'Jobs in each event queue by state; dead = parked in its dead-letter queue',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const subscriber of subscribers) {
          const queue = eventQueueName(subscriber);
          const counts = await client.queue(queue).getJobCounts(...liveStates);
          for (const state of liveStates) this.set({ queue, state }, counts[state] ?? 0);
          const dead = await client.queue(deadEventQueueName(subscriber)).getJobCounts('waiting');
          this.set({ queue, state: 'dead' }, dead.waiting ?? 0);
        }
      } catch (error) {
        logger.warn({ err: error }, 'queue metrics could not be read');
      }
    },
  });
  return () => client.close();
};

/** The database pool's connections in use and the statements waiting for one. */
export const watchPool = (registry: Registry, database: DatabaseHandle): void => {
  const usage = database.usage?.bind(database);
  if (usage === undefined) return;
  new Gauge({
    name: 'seam_db_pool_connections',
    help: 'Database pool: connections in use, and statements waiting for a free one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const now = usage();
      this.set({ state: 'in_use' }, now.inUse);
      this.set({ state: 'waiting' }, now.waiting);
    },
  });
};
