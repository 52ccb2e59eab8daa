/**
 * Sessions ended by logging out, kept in the gateway's limit store: on one real Redis, a token
 * one gateway replica ended is refused by the other, another token is not, and the mark is
 * kept (under a digest) no longer than the token lives; a logout while Redis is away still
 * holds on the replica that took it; in memory, for a single process, the same.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore, redisStore } from '../../src/gateway/limiter-store.js';
import { endedSessions } from '../../src/host/dashboard/ended-sessions.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import { createLogger } from '../../src/kernel/logger.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

const tokens = accessTokens('ended-sessions-test-secret-'.padEnd(40, 'x'), 600);
const tokenFor = async (email: string): Promise<string> => (await tokens.issue({ userId: email, email, role: 'admin' })).token;

describe('ended dashboard sessions', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.stop();
  });

  const replica = () => {
    const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    clients.push(client);
    return { client, sessions: endedSessions(redisStore(client, { logger: createLogger({ level: 'silent' }) })) };
  };

  it('refuses on every replica a token one of them ended, until it expires, and only that token', async () => {
    const [a, b] = [replica(), replica()];
    await Promise.all([a.client, b.client].map((client) => new Promise((ready) => client.once('ready', ready))));
    const loggedOut = await tokenFor('gone@example.com');
    const stillIn = await tokenFor('here@example.com');

    expect(await b.sessions.isEnded(loggedOut)).toBe(false);
    await a.sessions.end(loggedOut);
    expect(await b.sessions.isEnded(loggedOut)).toBe(true);
    expect(await a.sessions.isEnded(loggedOut)).toBe(true);
    expect(await b.sessions.isEnded(stillIn)).toBe(false);

    // Kept no longer than the token lives, and under a digest of it, never the token itself.
    const keys = await a.client.keys('*ended-sessions*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(loggedOut.split('.')[2]);
    const ttlSeconds = await a.client.ttl(keys[0]!);
    expect(ttlSeconds).toBeGreaterThan(590);
    expect(ttlSeconds).toBeLessThanOrEqual(600);
  });

  it('keeps refusing, on the replica that took it, a logout made while its Redis connection was down', async () => {
    const a = replica();
    await new Promise((ready) => a.client.once('ready', ready));
    const token = await tokenFor('outage@example.com');
    const closed = new Promise((ended) => a.client.once('end', ended));
    a.client.disconnect();
    await closed;
    await a.sessions.end(token);
    await a.client.connect();
    // Redis answers again, and holds no mark: the logout never reached it.
    const digest = createHash('sha256').update(token).digest('base64url');
    expect((await a.client.keys('*ended-sessions*')).filter((key) => key.endsWith(digest))).toEqual([]);
    expect(await a.sessions.isEnded(token)).toBe(true);
  });

  it('keeps them in this process’s memory when there is no Redis', async () => {
    const sessions = endedSessions(memoryStore());
    const loggedOut = await tokenFor('alone@example.com');
    await sessions.end(loggedOut);
    expect(await sessions.isEnded(loggedOut)).toBe(true);
    expect(await sessions.isEnded(await tokenFor('other@example.com'))).toBe(false);
  });
});
