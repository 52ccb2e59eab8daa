/**
 * The Redis registry through a Redis outage, on a real redis-server: instances are kept while
 * the registry cannot be read, and an instance missing from it right after (its heartbeats
 * could not land meanwhile; a restarted Redis is empty) is kept until it has had time to
 * heartbeat again; with the registry readable all along, an absence is believed at once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kernel/logger.js';
import { redisDiscovery, registerInstance } from '../../src/transport/discovery/redis-registry.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const logger = createLogger({ level: 'silent' });

describe('Redis registry through an outage', () => {
  let redis: RedisServer;
  let admin: Redis;
  let redisPid: number;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    redisPid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it('keeps an instance that vanished from the registry while it could not be read, until it could have heartbeaten again', async () => {
    const registrar = new Redis(redis.url);
    // Beats far apart: the test, not the heartbeat, decides when the key is gone.
    const registration = await registerInstance(registrar, 'shipping', { id: 's1', url: 'http://127.0.0.1:4101' }, { ttlMs: 60_000, logger });
    const discovery = await redisDiscovery({ redisUrl: redis.url, refreshMs: 60_000, logger, keepMissingMs: 1500, readTimeoutMs: 300 });
    try {
      await discovery.refresh();
      expect(discovery.instances('shipping').map((instance) => instance.id)).toEqual(['s1']);

      // Redis freezes: reading the registry fails (after the read timeout), the instance stays known.
      process.kill(redisPid, 'SIGSTOP');
      try {
        await expect(discovery.refresh()).rejects.toThrow();
        expect(discovery.instances('shipping').map((instance) => instance.id)).toEqual(['s1']);
      } finally {
        process.kill(redisPid, 'SIGCONT');
      }

      // Back, but the key expired meanwhile (as a restarted Redis would be empty): still kept.
      await admin.del('seam:registry:shipping:s1');
      await discovery.refresh();
      expect(discovery.instances('shipping').map((instance) => instance.id)).toEqual(['s1']);

      // Past the grace period a registry still without it is believed.
      const left = await waitFor(
        async () => {
          await discovery.refresh();
          return discovery.instances('shipping').length;
        },
        (count) => count === 0,
        20_000,
        'the vanished instance to be forgotten',
      );
      expect(left).toBe(0);
    } finally {
      await registration.deregister().catch(() => undefined);
      registrar.disconnect();
      await discovery.close();
    }
  });

  it('believes an absence at once while the registry has been readable', async () => {
    const registrar = new Redis(redis.url);
    await registerInstance(registrar, 'payments', { id: 'p1', url: 'http://127.0.0.1:4201' }, { ttlMs: 60_000, logger });
    const discovery = await redisDiscovery({ redisUrl: redis.url, refreshMs: 60_000, logger, keepMissingMs: 60_000 });
    try {
      await discovery.refresh();
      expect(discovery.instances('payments')).toHaveLength(1);
      await admin.del('seam:registry:payments:p1');
      await discovery.refresh();
      expect(discovery.instances('payments')).toEqual([]);
    } finally {
      registrar.disconnect();
      await discovery.close();
    }
  });
});
