/**
 * `seam dead-letters` on a real database and a real Redis: an outbox row the relay marked dead
 * is listed as coming from its module's outbox, and a replay puts it back to pending for the
 * relay; a subscriber's queue dead letter is listed as coming from its queue and replayed onto it.
 */
import { randomUUID } from 'node:crypto';
import postgresClient from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/host/application.js';
import { openDatabase, type DatabaseHandle } from '../../src/kernel/database.js';
import { QueueClient } from '../../src/transport/queue/connection.js';
import { listDeadLetters } from '../../src/transport/queue/dead-letters.js';
import { queueDelivery, startEventConsumer } from '../../src/transport/queue/events.js';
import { eventQueueName } from '../../src/transport/queue/wire.js';
import { waitFor } from '../../test/support/wait-for.js';
import { deadLettersOf, replayDeadLetters } from '../dead-letters.js';
import { startPostgres, type PostgresServer } from '../local-servers/postgres-server.js';
import { startRedis, type RedisServer } from '../local-servers/redis-server.js';
import { migrateDatabase } from './commands/db-migrate.js';
import { findProject, loadApplication } from './project.js';
import { repositoryRoot, seam } from './seam-process.test-support.js';

let postgres: PostgresServer;
let redis: RedisServer;
let sql: postgresClient.Sql;
let database: DatabaseHandle;
let application: Application;
const deadRow = randomUUID();

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const project = findProject(repositoryRoot);
  application = await loadApplication(project);
  await migrateDatabase(project, application, { DATABASE_URL: postgres.url });
  sql = postgresClient(postgres.url, { max: 1, onnotice: () => undefined });
  await sql`insert into orders.outbox (id, event_id, event_type, subscriber, payload, occurred_at, status, attempts, last_error)
            values (${deadRow}, ${randomUUID()}, 'orders/v1#OrderConfirmed', 'notifications', '{}'::jsonb, now(), 'dead', 8, 'Error: mail server down')`;
  database = await openDatabase({ kind: 'postgres', url: postgres.url });
});

afterAll(async () => {
  await database?.close();
  await sql?.end();
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

describe('seam dead-letters', { timeout: 60_000 }, () => {
  it('lists a dead outbox row, saying it comes from the orders outbox', async () => {
    const { rows, looked } = await deadLettersOf(application, { database });
    expect(rows).toEqual([{ source: 'outbox', place: 'orders', id: deadRow, subscriber: 'notifications', eventType: 'orders/v1#OrderConfirmed', attempts: 8, lastError: 'Error: mail server down' }]);
    expect(looked.outboxes).toContain('orders');
    expect((await deadLettersOf(application, { database }, { subscriber: 'shipping' })).rows).toEqual([]);

    const listed = await seam(['dead-letters', 'list'], { DATABASE_URL: postgres.url });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^source\s+id\s+subscriber\s+event type\s+attempts\s+last error$/m);
    expect(listed.stdout).toMatch(new RegExp(`^outbox orders\\s+${deadRow}\\s+notifications\\s+orders/v1#OrderConfirmed\\s+8\\s+Error: mail server down$`, 'm'));
    expect(listed.stdout).toContain('no queue (REDIS_URL is not set)');
  });

  it('replays it: back to pending with a fresh attempt count, and no longer dead', async () => {
    const replayed = await seam(['dead-letters', 'replay', deadRow], { DATABASE_URL: postgres.url });
    expect(replayed).toMatchObject({ code: 0, stdout: `Replayed ${deadRow} (outbox orders) to notifications.\n` });
    const [row] = await sql<{ status: string; attempts: number }[]>`select status, attempts from orders.outbox where id = ${deadRow}`;
    expect(row).toEqual({ status: 'pending', attempts: 0 });

    expect(await replayDeadLetters(application, { database }, { ids: [deadRow] })).toEqual({ replayed: [], notFound: [deadRow] });
    expect(await seam(['dead-letters', 'replay', deadRow], { DATABASE_URL: postgres.url })).toMatchObject({
      code: 1,
      stderr: `seam: no dead letter ${deadRow}: see which there are, and where it looked, with seam dead-letters list\n`,
    });
  });

  it('lists a queue dead letter as coming from its subscriber\'s queue, and replays it onto that queue', async () => {
    const event = { id: randomUUID(), type: 'orders/v1#OrderConfirmed', payload: {}, occurredAt: new Date().toISOString() };
    // A consumer whose handler fails its only attempt dead-letters the event.
    const consumer = await startEventConsumer({ connection: redis.url, subscriber: 'notifications', attempts: 1, handle: () => Promise.reject(new Error('mail server down')) });
    const delivery = queueDelivery({ connection: redis.url });
    try {
      await delivery('notifications', event);
      await waitFor(() => listDeadLetters({ connection: redis.url, subscriber: 'notifications' }), (letters) => letters.length === 1, 20_000, 'a dead letter');
    } finally {
      await consumer.close();
      await delivery.close();
    }
    const sources = { redis: { url: redis.url } };
    const { rows, looked } = await deadLettersOf(application, sources, { subscriber: 'notifications' });
    expect(rows).toEqual([expect.objectContaining({ source: 'queue', place: 'seam.dead.notifications', id: event.id, subscriber: 'notifications', attempts: 1, lastError: expect.stringContaining('mail server down') })]);
    expect(looked).toEqual({ outboxes: [], queues: ['notifications'] });

    expect((await replayDeadLetters(application, sources, {})).replayed.map((row) => row.id)).toEqual([event.id]);
    expect((await deadLettersOf(application, sources)).rows).toEqual([]);
    const queues = new QueueClient({ connection: redis.url });
    try {
      expect(await queues.queue(eventQueueName('notifications')).getJobCounts('waiting')).toEqual({ waiting: 1 }); // back in line, nobody consuming
    } finally {
      await queues.close();
    }
  });
});
