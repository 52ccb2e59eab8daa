/**
 * Fire-and-forget commands over BullMQ on a throwaway redis-server: a command is consumed and
 * runs the implementation with checked input; bad input never reaches it (refused by the
 * sender, dead-lettered by the consumer when it gets onto the queue some other way); a domain
 * refusal is dead-lettered without retries, a crash is retried; non-idempotent methods refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../src/kernel/contract.js';
import { defineError } from '../../src/kernel/errors.js';
import { sendCommand, startCommandConsumer } from '../../src/transport/queue/commands.js';
import { QueueClient } from '../../src/transport/queue/connection.js';
import { listDeadLetters } from '../../src/transport/queue/dead-letters.js';
import { commandQueueName, deadCommandQueueName } from '../../src/transport/queue/wire.js';
import { otherRedisClients } from '../support/redis-clients.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const Unsubscribed = defineError('UNSUBSCRIBED', 409, 'The recipient unsubscribed');

const mailerContract = defineContract('mailer', 1, {
  methods: {
    send: { input: z.object({ to: z.email(), subject: z.string().min(1) }), output: z.object({}), errors: [Unsubscribed], idempotent: true },
    charge: { input: z.object({ cents: z.number() }), output: z.object({}), errors: [], idempotent: false },
  },
});

type Mail = { to: string; subject: string };

let redis: RedisServer;
let prefix: string;
let queues: QueueClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  try {
    expect(await otherRedisClients(redis.url)).toEqual([]); // every connection and worker was closed
  } finally {
    await redis?.stop();
  }
});
beforeEach(() => {
  prefix = `t${randomUUID().slice(0, 8)}`;
  queues = new QueueClient({ connection: redis.url, prefix });
  cleanups.push(() => queues.close());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a consumer whose `send` records mail, and fails as `behaviour` says. */
const startMailer = async (behaviour: (mail: Mail) => void = () => undefined) => {
  const sent: Mail[] = [];
  const api: ContractApi<typeof mailerContract> = {
    async send(mail) {
      sent.push(mail);
      behaviour(mail);
      return {};
    },
    async charge() {
      return {};
    },
  };
  const consumer = await startCommandConsumer(mailerContract, api, { connection: redis.url, prefix, attempts: 3, backoff: { type: 'fixed', delay: 10 } });
  cleanups.push(() => consumer.close());
  return sent;
};

const deadLetters = () => listDeadLetters({ connection: redis.url, prefix, deadQueue: deadCommandQueueName(mailerContract) });

describe('commands over BullMQ', () => {
  it('runs a sent command once, with its input', async () => {
    const sent = await startMailer();
    const id = await sendCommand(queues, mailerContract, 'send', { to: 'ada@example.com', subject: 'Welcome' });
    await waitFor(async () => sent.length, (count) => count === 1, 20_000, 'the command to run');
    expect(sent).toEqual([{ to: 'ada@example.com', subject: 'Welcome' }]);
    const job = await queues.queue(commandQueueName(mailerContract)).getJob(id);
    expect(await job?.getState()).toBe('completed');
  });

  it('refuses bad input at the sender, before anything is queued', async () => {
    await expect(sendCommand(queues, mailerContract, 'send', { to: 'not-an-address', subject: '' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { errors: [{ field: 'to' }, { field: 'subject' }] },
    });
    expect(await queues.queue(commandQueueName(mailerContract)).count()).toBe(0);
  });

  it('never lets bad input that reached the queue some other way run: it is dead-lettered at once', async () => {
    const sent = await startMailer();
    await queues.queue(commandQueueName(mailerContract)).add('send', { to: 'not-an-address' }, { jobId: 'bad-1', attempts: 5 });
    await queues.queue(commandQueueName(mailerContract)).add('explode', {}, { jobId: 'bad-2', attempts: 5 });
    const letters = await waitFor(deadLetters, (found) => found.length === 2, 20_000, 'both to be dead-lettered');
    expect(letters.find((letter) => letter.id === 'bad-1')).toMatchObject({ name: 'send', attempts: 1, data: { to: 'not-an-address' } });
    expect(letters.find((letter) => letter.id === 'bad-1')?.error).toMatch(/^VALIDATION_FAILED: mailer\/v1\.send input: to: .*; subject: /);
    expect(letters.find((letter) => letter.id === 'bad-2')).toMatchObject({ attempts: 1, error: 'Error: mailer/v1 has no method explode' });
    expect(sent).toEqual([]);
  });

  it('dead-letters a domain refusal without retrying it, and retries a crash up to its attempts', async () => {
    const sent = await startMailer((mail) => {
      if (mail.to === 'gone@example.com') throw Unsubscribed.create();
      throw new Error('smtp is down');
    });
    await sendCommand(queues, mailerContract, 'send', { to: 'gone@example.com', subject: 'Hi' });
    await sendCommand(queues, mailerContract, 'send', { to: 'ada@example.com', subject: 'Hi' });
    const letters = await waitFor(deadLetters, (found) => found.length === 2, 20_000, 'both to be dead-lettered');
    expect(letters.map(({ attempts, error }) => ({ attempts, error })).sort((a, b) => a.attempts - b.attempts)).toEqual([
      { attempts: 1, error: 'UNSUBSCRIBED: The recipient unsubscribed' },
      { attempts: 3, error: 'Error: smtp is down' },
    ]);
    expect(sent).toHaveLength(4);
  });

  it('refuses to send a method the contract does not declare idempotent', async () => {
    await expect(sendCommand(queues, mailerContract, 'charge', { cents: 100 })).rejects.toThrow('mailer/v1.charge is not idempotent');
  });
});
