/**
 * Two gateway replicas (two monolith processes' worth of app, in this process) on one
 * PostgreSQL and one real Redis: the limits and login locks are counted in Redis, so a client
 * gets one quota however the load balancer spreads it. When Redis hangs or goes away, both
 * keep serving and count in memory, each on its own, and say so in the log (at most every 30 s,
 * so only the first outage here is checked for its warning).
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { createLogger } from '../../src/kernel/logger.js';
import { clientAt } from '../support/from-address.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { otherRedisClients } from '../support/redis-clients.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

interface Reply {
  code?: string;
}

const password = 'a shared password';

describe('limits shared by two gateway replicas through Redis', () => {
  let redis: RedisServer;
  let postgres: PostgresServer;
  let env: Record<string, string>;
  let a: RunningApp;
  let b: RunningApp;
  const warnings: string[] = [];

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    env = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      JWT_SECRET: 'a secret both replicas share, 32+ characters',
      RATE_LIMIT_DEFAULT: '6/60',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_FAILURE_DELAY_MS: '0',
    };
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        warnings.push(chunk.toString());
        done();
      },
    });
    // One after the other: the first migrates and seeds the shared database.
    a = await startTestApp(env, createLogger({ level: 'warn', destination }));
    b = await startTestApp(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([postgres?.stop(), redis?.stop()]);
  });

  /** The rate-limit connections open on the Redis server. */
  const limitConnections = async (): Promise<number> => (await otherRedisClients(redis.url)).filter((line) => line.includes('name=seam:rate-limits')).length;

  it('gives one address one quota across both replicas, and another address its own', async () => {
    await waitFor(limitConnections, (open) => open === 2, 10_000, 'both replicas connected to Redis');
    const replicas = [a, b];
    for (let request = 0; request < 6; request++) {
      expect((await clientAt(replicas[request % 2]!.url, '127.0.2.1').get('/categories')).status).toBe(200);
    }
    for (const replica of replicas) {
      const refused = await clientAt(replica.url, '127.0.2.1').get<Reply>('/categories');
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    for (const replica of replicas) expect((await clientAt(replica.url, '127.0.2.2').get('/categories')).status).toBe(200);
  });

  it('locks an account on every replica after failures spread over both', async () => {
    expect((await clientAt(a.url, '127.0.2.11').post('/auth/register', { email: 'shared@example.com', password, name: 'Shared' })).status).toBe(201);
    const login = (replica: RunningApp, secret: string) => clientAt(replica.url, '127.0.2.11').post<Reply>('/auth/login', { email: 'shared@example.com', password: secret });
    expect((await login(a, 'wrong one')).status).toBe(401);
    expect((await login(b, 'wrong two')).status).toBe(401);
    expect((await login(a, 'wrong three')).status).toBe(401);
    for (const replica of [b, a]) {
      const locked = await login(replica, password);
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('LOGIN_LOCKED');
    }
  });

  it('closes its Redis connection when it stops', async () => {
    const third = await startTestApp(env);
    await waitFor(limitConnections, (open) => open === 3, 10_000, 'the third replica connected');
    await third.stop();
    await waitFor(limitConnections, (open) => open === 2, 10_000, 'the third replica gone');
  });

  it('keeps serving and limiting, in memory, while Redis hangs without closing the connection, and warns', async () => {
    const probe = new Redis(redis.url);
    const pid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    await probe.quit();
    process.kill(pid, 'SIGSTOP');
    try {
      const client = clientAt(a.url, '127.0.2.31');
      for (let request = 0; request < 6; request++) expect((await client.get('/categories')).status).toBe(200);
      expect((await client.get('/categories')).status).toBe(429);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(warnings.join('')).toContain('Redis is not answering, counting in this process only');
  });

  it('keeps serving when Redis stops, limiting in each replica alone', async () => {
    await redis.stop();
    const client = clientAt(a.url, '127.0.2.21');
    for (let request = 0; request < 6; request++) expect((await client.get('/categories')).status).toBe(200);
    const refused = await client.get<Reply>('/categories');
    expect(refused.status).toBe(429);
    expect((await clientAt(b.url, '127.0.2.21').get('/categories')).status).toBe(200);
  });
});
