/**
 * @module Redis connections for the queue binding: one ioredis connection per client, shared by
 * every BullMQ queue that client opens, so a process with ten subscribers holds one connection
 * for producing, not ten.
 */
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` URL, or ioredis options. */
export type QueueConnection = string | RedisOptions;

export interface QueueClientOptions {
  readonly connection: QueueConnection;
  /** BullMQ key prefix; every producer and consumer of a deployment must use the same one. */
  readonly prefix?: string;
}

/** BullMQ's own default, so standard BullMQ tooling finds the queues without configuration. */
export const defaultPrefix = 'bull';

/** BullMQ writes an events stream per queue; this caps it so idle history cannot grow Redis. */
const eventStreamMaxLen = 1000;

/**
 * Opens a connection. Producers fail fast while Redis is away (no offline queue), so the relay
 * sees an error and backs off instead of waiting on a command that may never be sent; workers
 * block by design and need `maxRetriesPerRequest: null`.
 */
export const openRedis = (connection: QueueConnection, role: 'producer' | 'worker'): Redis => {
  const options: RedisOptions = role === 'producer' ? { maxRetriesPerRequest: 1, enableOfflineQueue: false } : { maxRetriesPerRequest: null };
  return typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...connection, ...options });
};

/** Queues by name over one shared connection. */
export class QueueClient {
  readonly #queues = new Map<string, Queue>();
  readonly redis: Redis;
  readonly prefix: string;

  constructor(options: QueueClientOptions, role: 'producer' | 'worker' = 'producer') {
    this.redis = openRedis(options.connection, role);
    this.prefix = options.prefix ?? defaultPrefix;
    // ioredis emits connection errors as events; without a listener Node would crash on them.
    // Commands that fail because of them reject, and that is where they are handled.
    this.redis.on('error', () => undefined);
  }

  queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix, streams: { events: { maxLen: eventStreamMaxLen } } });
      queue.on('error', () => undefined); // as above: surfaced by the command that failed
      this.#queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()].map((queue) => queue.close()));
    this.#queues.clear();
    // quit() waits for pending replies; if Redis is gone it would wait for ever, so disconnect.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}

/** Runs `work` with a client opened for it, closing the client afterwards (tools, one-off calls). */
export const withQueueClient = async <T>(options: QueueClientOptions, work: (client: QueueClient) => Promise<T>): Promise<T> => {
  const client = new QueueClient(options);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
};
