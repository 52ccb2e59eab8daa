/**
 * @module How many clients a redis-server has besides the one asking: tests check that every
 * connection they opened was closed.
 */
import { Redis } from 'ioredis';

export const otherRedisClients = async (url: string): Promise<string[]> => {
  const probe = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const list = String(await probe.call('CLIENT', 'LIST'));
    const self = String(await probe.call('CLIENT', 'ID'));
    return list
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith(`id=${self} `));
  } finally {
    await probe.quit();
  }
};
