/**
 * The dead-letters CLI (scripts/dead-letters.ts) against a throwaway redis-server: lists a
 * subscriber's dead letters as a table, replays one and then all, and fails clearly on bad
 * usage and a missing REDIS_URL.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/kernel/events.js';
import { QueueClient } from '../../src/transport/queue/connection.js';
import { listDeadLetters } from '../../src/transport/queue/dead-letters.js';
import { queueDelivery, startEventConsumer } from '../../src/transport/queue/events.js';
import { eventQueueName } from '../../src/transport/queue/wire.js';
import { otherRedisClients } from '../support/redis-clients.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const root = join(import.meta.dirname, '..', '..');
const prefix = 'cli';
let redis: RedisServer;

const cli = async (args: readonly string[], env: Record<string, string> = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix }) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(root, 'node_modules', '.bin', 'tsx'), ['scripts/dead-letters.ts', ...args], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

const event = (name: string): EventEnvelope => ({ id: randomUUID(), type: 'greeter/v1#Greeted', payload: { name }, occurredAt: new Date().toISOString() });
const events = [event('Ada'), event('Grace')];

beforeAll(async () => {
  redis = await startRedis();
  // Two events whose handler fails once are dead-lettered after their single attempt.
  const consumer = await startEventConsumer({ connection: redis.url, prefix, subscriber: 'sub', attempts: 1, handle: () => Promise.reject(new Error('subscriber is down')) });
  const delivery = queueDelivery({ connection: redis.url, prefix });
  for (const each of events) await delivery('sub', each);
  await waitFor(() => listDeadLetters({ connection: redis.url, prefix, subscriber: 'sub' }), (found) => found.length === 2, 20_000, 'two dead letters');
  await consumer.close();
  await delivery.close();
});

afterAll(async () => {
  try {
    expect(await otherRedisClients(redis.url)).toEqual([]);
  } finally {
    await redis?.stop();
  }
});

describe('scripts/dead-letters.ts', () => {
  it('lists, replays one, then replays all', async () => {
    const listed = await cli(['list', 'sub']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.split('\n');
    expect(lines[0]).toMatch(/^id\s+event type\s+attempts\s+failed at\s+last error$/);
    for (const each of events) expect(listed.stdout).toMatch(new RegExp(`${each.id}\\s+greeter/v1#Greeted\\s+1\\s+\\S+Z\\s+Error: subscriber is down`));
    expect(listed.stdout).toContain('2 dead letter(s) for sub.');

    expect(await cli(['replay', 'sub', events[0]!.id])).toMatchObject({ code: 0, stdout: `Replayed ${events[0]!.id} to sub.\n` });
    expect(await cli(['replay', 'sub', events[0]!.id])).toMatchObject({ code: 1, stderr: `No dead letter ${events[0]!.id} for sub.\n` });
    expect(await cli(['replay', 'sub', '--all'])).toMatchObject({ code: 0, stdout: 'Replayed 1 dead letter(s) to sub.\n' });
    expect(await cli(['list', 'sub'])).toMatchObject({ code: 0, stdout: 'No dead letters for sub.\n' });

    const queues = new QueueClient({ connection: redis.url, prefix });
    try {
      expect(await queues.queue(eventQueueName('sub')).getJobCounts('waiting')).toEqual({ waiting: 2 }); // back in line, nobody consuming
    } finally {
      await queues.close();
    }
  });

  it('explains bad usage and a missing REDIS_URL', async () => {
    expect(await cli(['replay', 'sub'])).toMatchObject({ code: 64, stderr: expect.stringContaining('usage: tsx scripts/dead-letters.ts list <module>') });
    expect(await cli(['list', 'sub'], {})).toMatchObject({ code: 78, stderr: expect.stringContaining('REDIS_URL is not set') });
  });
});
