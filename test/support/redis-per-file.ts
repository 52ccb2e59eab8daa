/**
 * @module One throwaway Redis server for a test file: started before its tests, and stopped
 * after them once the file has shown it closed every connection and worker it opened.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { otherRedisClients } from './redis-clients.js';
import { startRedis, type RedisServer } from './redis-server.js';

/** Registers the file's hooks; `url()` answers inside its tests. */
export const redisForThisFile = (): { url(): string } => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    try {
      if (redis) expect(await otherRedisClients(redis.url)).toEqual([]); // every connection and worker was closed
    } finally {
      await redis?.stop();
    }
  });
  return {
    url: () => {
      if (!redis) throw new Error('Redis is started in beforeAll: ask for its URL inside a test');
      return redis.url;
    },
  };
};
