/**
 * Discovery sources: DNS (A and SRV, through an injected resolver) and the Redis registry
 * against a real redis-server, where an instance that stops heartbeating disappears.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kernel/logger.js';
import { dnsDiscovery, type DnsResolver } from '../../src/transport/discovery/dns-discovery.js';
import { redisDiscovery, registerInstance } from '../../src/transport/discovery/redis-registry.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const logger = createLogger({ level: 'silent' });

describe('DNS discovery', () => {
  it('turns A and SRV records into instances, and keeps the last answer when a lookup fails', async () => {
    let failing = false;
    const resolver: DnsResolver = {
      resolve4: async () => {
        if (failing) throw new Error('SERVFAIL');
        return ['10.0.0.2', '10.0.0.1'];
      },
      resolveSrv: async () => [{ name: 'orders-0.orders', port: 8080 }],
    };
    const discovery = dnsDiscovery({
      services: { inventory: { name: 'inventory.seam.svc', record: 'A', port: 3000 }, orders: { name: '_http._tcp.orders', record: 'SRV' } },
      refreshMs: 60_000,
      logger,
      resolver,
    });
    await discovery.refresh();
    expect(discovery.instances('inventory').map((instance) => instance.url)).toEqual(['http://10.0.0.1:3000', 'http://10.0.0.2:3000']);
    expect(discovery.instances('orders')).toEqual([{ id: 'orders-0.orders:8080', url: 'http://orders-0.orders:8080' }]);
    failing = true;
    await discovery.refresh();
    expect(discovery.instances('inventory')).toHaveLength(2);
    await discovery.close();
  });
});

describe('Redis registry', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('lists registered instances, drops one that stops heartbeating, and one that deregisters', async () => {
    const healthy = new Redis(redis.url);
    const doomed = new Redis(redis.url);
    const discovery = await redisDiscovery({ redisUrl: redis.url, refreshMs: 100, logger });
    try {
      // The survivor's key outlives the test whether or not its heartbeats keep time on a busy
      // machine; the doomed one's lapses soon after its heartbeats stop.
      const stays = await registerInstance(healthy, 'catalog', { id: 'c1', url: 'http://127.0.0.1:4001' }, { ttlMs: 60_000, logger });
      await registerInstance(doomed, 'catalog', { id: 'c2', url: 'http://127.0.0.1:4002' }, { ttlMs: 1000, logger });
      await discovery.refresh();
      expect(discovery.instances('catalog').map((instance) => instance.id)).toEqual(['c1', 'c2']);

      doomed.disconnect(); // a crash: no deregistration, heartbeats just stop
      const left = await waitFor(async () => discovery.instances('catalog').map((instance) => instance.id), (ids) => ids.length === 1, 30_000, 'the crashed instance to drop out');
      expect(left).toEqual(['c1']);

      await stays.deregister();
      await discovery.refresh();
      expect(discovery.instances('catalog')).toEqual([]);
    } finally {
      await discovery.close();
      healthy.disconnect();
    }
  });
});
