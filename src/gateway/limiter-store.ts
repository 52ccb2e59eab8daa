/**
 * @module Where the edge counts requests: this process's memory, or Redis so that every gateway replica shares one count.
 *
 * The counters are rate-limiter-flexible's: each consume is one atomic increment-with-expiry
 * (a Lua script in Redis), so replicas racing on the same key never lose a count. A Redis that
 * cannot answer must not take the shop down with it: each Redis counter is insured by one in
 * memory, which takes over while Redis is unreachable (limits then hold per replica rather than
 * across them) and a warning says so. A connection that is up but stops answering (a host gone
 * without a reset, a hung server) is dropped and made again, so that requests go straight to
 * memory until Redis is ready, instead of each waiting out a command timeout.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../kernel/logger.js';

/** One family of counters: `points` per `durationSeconds` window per key. */
export interface LimiterSpec {
  /** Names the counters in the store; unique per family. */
  readonly name: string;
  readonly points: number;
  readonly durationSeconds: number;
  /** Once over the limit, refuse the key this long (default: until its window ends). */
  readonly blockSeconds?: number;
  /**
   * Remember a key that went over the limit in this process until its window ends, so a
   * flood costs no store round trip per request. Only for counters that are never reset
   * early (a reset in another replica would not reach this memory).
   */
  readonly blockInMemory?: boolean;
}

/** Makes the counters for one spec. */
export type LimiterStore = (spec: LimiterSpec) => RateLimiterAbstract;

const keyPrefix = 'seam:limit';

const memoryOptions = (spec: LimiterSpec) => ({
  keyPrefix: `${keyPrefix}:${spec.name}`,
  points: spec.points,
  duration: spec.durationSeconds,
  ...(spec.blockSeconds === undefined ? {} : { blockDuration: spec.blockSeconds }),
});

/**
 * Counters in this process's memory: right for one gateway process, and for a test.
 *
 * @example
 * const perAddress = memoryStore()({ name: 'default', points: 600, durationSeconds: 60 });
 */
export const memoryStore = (): LimiterStore => (spec) => new RateLimiterMemory(memoryOptions(spec));

export interface RedisStoreOptions {
  readonly logger: Logger;
  /** At most one warning this often while Redis keeps failing (default 30 s). */
  readonly warnEveryMs?: number;
  /** At most one forced reconnect this often (default 5 s). */
  readonly reconnectEveryMs?: number;
}

/** An insurance counter that reports each time it has to stand in for Redis. */
class StandIn extends RateLimiterMemory {
  constructor(
    spec: LimiterSpec,
    private readonly used: () => void,
  ) {
    super(memoryOptions(spec));
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>) {
    this.used();
    return super.consume(...args);
  }
}

/**
 * Counters in Redis, shared by every gateway replica using `client`, each insured by a counter
 * in memory. The client should fail fast rather than queue (as `openLimitStore`'s does): a
 * request waits for its counters, and no limit is worth a stalled request.
 *
 * @example
 * const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250 });
 * const store = redisStore(client, { logger });
 */
export const redisStore = (client: Redis, options: RedisStoreOptions): LimiterStore => {
  const { logger } = options;
  const warnEveryMs = options.warnEveryMs ?? 30_000;
  const reconnectEveryMs = options.reconnectEveryMs ?? 5_000;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let lastReconnect = Number.NEGATIVE_INFINITY;
  let standIns = 0;
  const stoodIn = (): void => {
    standIns += 1;
    const now = Date.now();
    const redisStatus = client.status;
    // Ready yet failing: the command timed out on a connection that looks up. Until the new
    // one is ready, rejectIfRedisNotReady sends every count straight to memory.
    if (redisStatus === 'ready' && now - lastReconnect >= reconnectEveryMs) {
      lastReconnect = now;
      client.disconnect(true);
    }
    if (now - lastWarning < warnEveryMs) return;
    lastWarning = now;
    logger.warn({ requests: standIns, redisStatus }, 'rate limits: Redis is not answering, counting in this process only (limits hold per replica, not across replicas)');
    standIns = 0;
  };
  // Without a listener ioredis reports every failed reconnect on stderr; the warning above says it once.
  client.on('error', (error: Error) => logger.debug({ err: error }, 'rate limits: Redis connection error'));
  client.on('ready', () => {
    if (lastWarning === Number.NEGATIVE_INFINITY) return;
    lastWarning = Number.NEGATIVE_INFINITY;
    logger.info('rate limits: Redis answers again, counting across replicas');
  });
  return (spec) =>
    new RateLimiterRedis({
      ...memoryOptions(spec),
      storeClient: client,
      // Not connected: go straight to the insurance rather than wait for a reconnect.
      rejectIfRedisNotReady: true,
      ...(spec.blockInMemory ? { inMemoryBlockOnConsumed: spec.points + 1 } : {}),
      insuranceLimiter: new StandIn(spec, stoodIn),
    });
};

/**
 * ioredis options for the rate-limit connection: never queue a command while disconnected,
 * never retry one, and give up on an unanswered one quickly, so the insurance takes over.
 */
const rateLimitRedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 250,
  connectionName: 'seam:rate-limits',
} as const;

export interface OpenedLimitStore {
  readonly store: LimiterStore;
  /** Ends the Redis connection, if there is one. */
  close(): Promise<void>;
}

/**
 * The gateway's store: Redis at `redisUrl` (a connection of its own), or memory without one.
 *
 * @example
 * const limits = openLimitStore(config.deployment.redisUrl, logger);
 * lifecycle.onStop('rate limit store', () => limits.close());
 */
export const openLimitStore = (redisUrl: string | undefined, logger: Logger): OpenedLimitStore => {
  if (redisUrl === undefined) return { store: memoryStore(), close: async () => undefined };
  const client = new Redis(redisUrl, rateLimitRedisOptions);
  return {
    store: redisStore(client, { logger }),
    close: async () => {
      // QUIT lets commands in flight finish; without a connection there is nothing to finish.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
};
