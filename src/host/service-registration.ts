/**
 * @module Puts this instance into the Redis registry once it serves, so other services'
 * discovery sees it, and takes it out first at shutdown, before the server stops accepting.
 */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from '../kernel/logger.js';
import { registerInstance } from '../transport/discovery/redis-registry.js';

const ttlMs = 5000;

/** The URL others reach a server bound at `boundUrl` by: a wildcard address is no address; http or https as served. */
export const advertisedUrl = (boundUrl: string, port: number, configured: string | undefined): string => {
  if (configured !== undefined) return configured;
  const { hostname: bound, protocol } = new URL(boundUrl);
  return bound === '0.0.0.0' || bound === '[::]' ? `${protocol}//${hostname()}:${port}` : boundUrl;
};

/** Registers and heartbeats; the returned function deregisters and disconnects. */
export const registerService = async (redisUrl: string, service: string, url: string, logger: Logger): Promise<() => Promise<void>> => {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const id = `${hostname()}-${process.pid}-${new URL(url).port}`;
  try {
    const registration = await registerInstance(redis, service, { id, url }, { ttlMs, logger });
    logger.info({ service, url, id }, 'registered in the service registry');
    return async () => {
      await registration.deregister();
      redis.disconnect();
    };
  } catch (error) {
    redis.disconnect();
    throw error;
  }
};
