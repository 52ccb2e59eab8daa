/**
 * @module A service registry in Redis: instances register under a key with a TTL and keep
 * it alive with heartbeats; clients list the keys on an interval and on change notices.
 *
 * An instance that dies stops heartbeating and its key expires, so it drops out of every
 * client within TTL + refresh interval with nobody having to notice the death.
 *
 * While Redis cannot be read, clients keep the instances they knew; and for a while after, an
 * instance missing from the registry is still kept, because its heartbeats could not land
 * either (a restarted Redis is empty until they do). Forgetting live instances then would make
 * every caller fail with "no instance" and open breakers on services that never went away.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../kernel/logger.js';
import type { Discovery, ServiceInstance } from './discovery.js';

const keyPrefix = 'seam:registry:';
const changes = 'seam:registry:changes';

const keyOf = (service: string, id: string): string => `${keyPrefix}${service}:${id}`;

export interface Registration {
  /** Removes the instance at once (graceful shutdown) and stops heartbeating. */
  deregister(): Promise<void>;
}

/**
 * Registers `instance` of `service`, refreshing its key every `ttlMs / 3`.
 *
 * @example
 * const registration = await registerInstance(redis, 'inventory', { id: hostname(), url }, { ttlMs: 10_000, logger });
 * lifecycle.onStop('registry', () => registration.deregister());
 */
export const registerInstance = async (
  redis: Redis,
  service: string,
  instance: ServiceInstance,
  options: { ttlMs: number; logger: Logger },
): Promise<Registration> => {
  const key = keyOf(service, instance.id);
  const beat = () => redis.set(key, instance.url, 'PX', options.ttlMs);
  await beat();
  await redis.publish(changes, service);
  let failing = false;
  const timer = setInterval(() => {
    beat().then(
      async () => {
        // Back after failed beats (the key may have expired, or Redis restarted empty): say so at once.
        if (!failing) return;
        failing = false;
        await redis.publish(changes, service);
      },
      (error: unknown) => {
        failing = true;
        options.logger.warn({ err: error, service }, 'registry heartbeat failed');
      },
    ).catch(() => undefined);
  }, Math.max(50, Math.floor(options.ttlMs / 3)));
  timer.unref();
  return {
    async deregister() {
      clearInterval(timer);
      await redis.del(key);
      await redis.publish(changes, service);
    },
  };
};

export interface RedisDiscovery extends Discovery {
  refresh(): Promise<void>;
}

export interface RedisDiscoveryOptions {
  readonly redisUrl: string;
  readonly refreshMs: number;
  readonly logger: Logger;
  /**
   * How long after a failed (or timed out) read of the registry an instance missing from it is
   * still kept: long enough for every instance to heartbeat again (the registration TTL and
   * a reconnect). Default 10 s, twice the TTL services register with.
   */
  readonly keepMissingMs?: number;
  /** How long one read command may take before the registry counts as unreadable (default 2 s). */
  readonly readTimeoutMs?: number;
}

/** Discovery that reads the registry; `redisUrl` gets two connections (one subscribed). */
export const redisDiscovery = async (options: RedisDiscoveryOptions): Promise<RedisDiscovery> => {
  const keepMissingMs = options.keepMissingMs ?? 10_000;
  // A frozen Redis fails reads after a while instead of stalling them: the outage is then seen.
  const reader = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, commandTimeout: options.readTimeoutMs ?? 2000 });
  const listener = new Redis(options.redisUrl, { lazyConnect: true });
  // Connection errors surface as failed reads (logged below); ioredis reconnects by itself.
  for (const connection of [reader, listener]) connection.on('error', () => undefined);
  await Promise.all([reader.connect(), listener.connect()]);
  const known = new Map<string, ServiceInstance[]>();
  /** Before this time an absence from the registry is not believed (the registry was unreadable lately). */
  let trustAbsenceFrom = 0;

  const read = async (): Promise<Map<string, ServiceInstance[]>> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await reader.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 200);
      cursor = next;
      keys.push(...batch.filter((key) => key !== changes));
    } while (cursor !== '0');
    const urls = keys.length > 0 ? await reader.mget(keys) : [];
    const found = new Map<string, ServiceInstance[]>();
    keys.forEach((key, index) => {
      const url = urls[index];
      if (!url) return; // expired between SCAN and MGET
      const [service, ...id] = key.slice(keyPrefix.length).split(':');
      if (!service) return;
      found.set(service, [...(found.get(service) ?? []), { id: id.join(':'), url }]);
    });
    return found;
  };

  const refresh = async (): Promise<void> => {
    let found: Map<string, ServiceInstance[]>;
    try {
      found = await read();
    } catch (error) {
      trustAbsenceFrom = Date.now() + keepMissingMs;
      throw error;
    }
    if (Date.now() < trustAbsenceFrom) {
      for (const [service, instances] of known) {
        const present = found.get(service) ?? [];
        const missing = instances.filter((instance) => !present.some((candidate) => candidate.id === instance.id));
        if (missing.length > 0) found.set(service, [...present, ...missing]);
      }
    }
    known.clear();
    for (const [service, instances] of found) known.set(service, instances.sort((a, b) => a.id.localeCompare(b.id)));
  };

  // One read at a time: reads that pile up behind a stalled Redis would land in any order.
  let reading = false;
  let again = false;
  const safeRefresh = (): void => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    refresh()
      .catch((error: unknown) => options.logger.warn({ err: error }, 'registry refresh failed; keeping the last known instances'))
      .finally(() => {
        reading = false;
        if (again) {
          again = false;
          safeRefresh();
        }
      });
  };
  await listener.subscribe(changes);
  listener.on('message', safeRefresh);
  await refresh();
  const timer = setInterval(safeRefresh, options.refreshMs);
  timer.unref();
  return {
    instances: (service) => known.get(service) ?? [],
    refresh,
    async close() {
      clearInterval(timer);
      listener.disconnect();
      reader.disconnect();
    },
  };
};
