/**
 * @module A service registry in Redis: instances register under a key with a TTL and keep
 * it alive with heartbeats; clients list the keys on an interval and on change notices.
 *
 * An instance that dies stops heartbeating and its key expires, so it drops out of every
 * client within TTL + refresh interval with nobody having to notice the death.
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
  const timer = setInterval(() => {
    beat().catch((error: unknown) => options.logger.warn({ err: error, service }, 'registry heartbeat failed'));
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

/** Discovery that reads the registry; `redisUrl` gets two connections (one subscribed). */
export const redisDiscovery = async (options: { redisUrl: string; refreshMs: number; logger: Logger }): Promise<RedisDiscovery> => {
  const reader = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const listener = new Redis(options.redisUrl, { lazyConnect: true });
  await Promise.all([reader.connect(), listener.connect()]);
  const known = new Map<string, ServiceInstance[]>();

  const refresh = async (): Promise<void> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await reader.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 200);
      cursor = next;
      keys.push(...batch.filter((key) => key !== changes));
    } while (cursor !== '0');
    const urls = keys.length > 0 ? await reader.mget(keys) : [];
    const next = new Map<string, ServiceInstance[]>();
    keys.forEach((key, index) => {
      const url = urls[index];
      if (!url) return; // expired between SCAN and MGET
      const [service, ...id] = key.slice(keyPrefix.length).split(':');
      if (!service) return;
      next.set(service, [...(next.get(service) ?? []), { id: id.join(':'), url }]);
    });
    known.clear();
    for (const [service, instances] of next) known.set(service, instances.sort((a, b) => a.id.localeCompare(b.id)));
  };

  const safeRefresh = (): void => {
    refresh().catch((error: unknown) => options.logger.warn({ err: error }, 'registry refresh failed; keeping the last known instances'));
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
