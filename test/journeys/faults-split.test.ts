/**
 * The split topology under a bounded order load through two faults, on real processes,
 * PostgreSQL and Redis:
 *
 *  - Redis frozen (SIGSTOP) until every service has found the registry unreadable, its
 *    registry entries gone when it is back (as after a restart, or had they expired meanwhile)
 *    and every service told to look: discovery keeps the instances it knew until they have
 *    registered again, so no breaker of any service opens (none is failing) and no order fails;
 *  - the orders service SIGKILLed mid-request and started again: the gateway answers no 500,
 *    only 503s with Retry-After, and every order retried with its key ends as the database says,
 *    charged and stocked consistently.
 */
import { application } from '../../src/application.js';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplit, type RunningSplit } from '../../scripts/split/run-split.js';
import { createLogger } from '../../src/kernel/logger.js';
import { answersReach, inconsistencies, ordersInDatabase, settle, shown, startOrderLoad, type OrderAnswer } from '../support/order-load.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { ShopClient } from '../support/shop-client.js';
import { waitFor } from '../support/wait-for.js';
import { testBuildEntry } from '../support/test-build.js';

const adminPassword = 'split-faults-admin-password';
const initialStock = 10_000;

describe('the split topology through faults under load', () => {
  let redis: RedisServer;
  let redisPid: number;
  let split: RunningSplit;
  let productId: string;
  let customers: ShopClient[];
  /** Breaker changes every service logged, with when. */
  const breakerChanges: { at: number; line: string }[] = [];
  /** Instances (`service#replica`) that have logged a failed read of the registry. */
  const registryUnreadableIn = new Set<string>();

  beforeAll(async () => {
    redis = await startRedis();
    const probe = new Redis(redis.url);
    redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    probe.disconnect();
    split = await startSplit({ application,
      entry: testBuildEntry('src/main.ts'),
      redisUrl: redis.url,
      gatewayPort: 0,
      env: {
        NODE_ENV: 'test',
        SEAM_SEED: 'auto',
        LOG_LEVEL: 'warn',
        ADMIN_PASSWORD: adminPassword,
        RATE_LIMIT: 'off',
        // A short lease, so the restarted orders service takes over its dead predecessor's sagas soon.
        CHECKOUT_LEASE_SECONDS: '2',
        CHECKOUT_RESUME_INTERVAL_MS: '250',
      },
      logger: createLogger({ level: 'silent' }),
      echo: (line) => {
        if (line.includes('circuit breaker changed state')) breakerChanges.push({ at: Date.now(), line });
        if (line.includes('registry refresh failed')) registryUnreadableIn.add(line.slice(1, line.indexOf(']')));
      },
    });
    const anonymous = new ShopClient(split.gatewayUrl);
    const admin = await anonymous.signIn('admin@seam.local', adminPassword);
    const product = await admin.post<{ id: string }>('/products', {
      sku: `SPLIT-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: 'Fault Kettle',
      description: 'Ordered while things break',
      priceCents: 3100,
      currency: 'EUR',
      categorySlug: 'kitchen',
      weightGrams: 1100,
    });
    productId = product.body.id;
    await admin.request('PUT', `/inventory/${productId}`, { available: initialStock });
    customers = await Promise.all(Array.from({ length: 6 }, () => anonymous.signIn(`split-faults-${randomUUID()}@example.com`)));
  }, 600_000);
  afterAll(async () => {
    await split?.stop();
    await redis?.stop();
  });

  /** Settles every answer that was not final, and checks each against the database. */
  const expectHonestEnds = async (answers: readonly OrderAnswer[]): Promise<void> => {
    expect(answers.filter((answer) => answer.status === 0 || (answer.status >= 500 && answer.status !== 503)).map(shown)).toEqual([]);
    expect(answers.filter((answer) => answer.status === 503 && answer.retryAfter === null).map(shown)).toEqual([]);
    const settled = await Promise.all(answers.map((answer) => (answer.status === 201 ? answer : settle(answer, productId))));
    const truth = await ordersInDatabase(split.databaseUrl, productId);
    const byKey = new Map(truth.orders.map((order) => [order.idempotencyKey, order]));
    for (const answer of settled) {
      const order = byKey.get(answer.key);
      expect(order, `key ${answer.key} answered ${answer.status} ${answer.code ?? answer.orderStatus}`).toBeDefined();
      if (answer.status === 201) expect({ id: answer.orderId, status: order?.status }).toEqual({ id: order?.id, status: 'CONFIRMED' });
      else expect({ key: answer.key, status: order?.status, code: answer.code }).toMatchObject({ status: 'CANCELLED' });
    }
    expect(inconsistencies(truth, initialStock)).toEqual([]);
  };

  /** Polls the registry in Redis until it lists every instance again (gateways too). */
  const everyInstanceRegistered = async (): Promise<void> => {
    const expected = split.instances.map((instance) => instance.url);
    const reader = new Redis(redis.url);
    try {
      const registeredUrls = async (): Promise<string[]> => {
        const keys = await reader.keys('seam:registry:*');
        return keys.length === 0 ? [] : (await reader.mget(keys)).filter((url): url is string => url !== null);
      };
      await waitFor(registeredUrls, (urls) => expected.every((url) => urls.includes(url)), 60_000, `every instance to register again (${expected.join(', ')})`);
    } finally {
      reader.disconnect();
    }
  };

  it('keeps every breaker closed and every order going through while Redis is away', { timeout: 300_000 }, async () => {
    const started = Date.now();
    const load = startOrderLoad(customers, productId, 100);
    await answersReach(load, 20);
    registryUnreadableIn.clear();
    process.kill(redisPid, 'SIGSTOP');
    try {
      // Frozen until every service has seen the outage, however long that takes on this machine.
      const everyInstance = split.instances.map((instance) => instance.name).sort();
      await waitFor(async () => [...registryUnreadableIn].sort(), (seen) => everyInstance.every((name) => seen.includes(name)), 120_000, 'every instance to find the registry unreadable');
    } finally {
      process.kill(redisPid, 'SIGCONT');
    }
    // Back without the registry entries (a restarted Redis has none), and every service told to
    // look before any heartbeat lands again.
    const admin = new Redis(redis.url);
    try {
      const entries = await admin.keys('seam:registry:*');
      if (entries.length > 0) await admin.del(...entries);
      await admin.publish('seam:registry:changes', 'all');
    } finally {
      admin.disconnect();
    }
    // Orders go on while the registry is empty, until every instance is in it again, and after.
    await answersReach(load, load.answers.length + 30);
    await everyInstanceRegistered();
    await answersReach(load, load.answers.length + 30);
    load.stop();
    await load.done;

    expect(breakerChanges.filter((change) => change.at >= started).map((change) => change.line)).toEqual([]);
    expect(load.answers.filter((answer) => answer.status !== 201 && answer.status !== 202).map(shown)).toEqual([]);
    await expectHonestEnds(load.answers);
  });

  it('answers no 500 when the orders service is killed mid-request, and every order ends as its retries say', { timeout: 300_000 }, async () => {
    // Customers that wait as each 503 asks: the orders in flight when the service dies are the
    // point, not hundreds of the same 503 while it is away.
    const load = startOrderLoad(customers, productId, 100, { honourRetryAfter: true });
    await answersReach(load, 20);
    await split.instance('orders').stop('SIGKILL');
    await split.instance('orders').start();
    await answersReach(load, load.answers.length + 20);
    load.stop();
    await load.done;
    await expectHonestEnds(load.answers);
  });
});
