/**
 * The notifications module through a ModuleHost, on embedded PGlite and on a real PostgreSQL:
 * shipping's and orders' events become one notification each, redelivery has no second
 * effect, a failing channel is retried, and GET /notifications serves the signed-in customer.
 *
 * A stand-in that provides `ordersContract` (its methods throw) publishes the orders events
 * through its own outbox, as the real orders module does, so these tests need no checkout.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notificationsRoutes } from '../../src/api/notifications.routes.js';
import { errorTitles, problemResponse, toProblem } from '../../src/gateway/problem.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import { loadConfig } from '../../src/kernel/config.js';
import type { EventPayload } from '../../src/kernel/contract.js';
import { openDatabase, selectRows, type Database, type DatabaseHandle } from '../../src/kernel/database.js';
import { commonErrors, toSeamError } from '../../src/kernel/errors.js';
import type { EventPublisher } from '../../src/kernel/events.js';
import { createLogger } from '../../src/kernel/logger.js';
import { defineModule } from '../../src/kernel/module.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import { consumeOnce } from '../../src/kernel/inbox.js';
import type { NotificationChannel } from '../../src/modules/notifications/channel.js';
import { notificationsContract, type Notification, type NotificationsApi } from '../../src/modules/notifications/contract.js';
import { LogChannel } from '../../src/modules/notifications/log-channel.js';
import { createNotificationsModule } from '../../src/modules/notifications/module.js';
import { ordersContract } from '../../src/modules/orders/contract.js';
import { shippingContract, type ShippingApi } from '../../src/modules/shipping/contract.js';
import { shippingModule } from '../../src/modules/shipping/module.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import { databaseBackends } from '../support/database-backends.js';

/**
 * Migrations for the stand-in's schema: the outbox statements of shipping's own migrations,
 * renamed, so the table stays whatever the kernel's `outboxTable` generates.
 */
const fakeOrdersMigrations = (() => {
  const folder = mkdtempSync(join(tmpdir(), 'seam-fake-orders-'));
  const shippingMigrations = new URL('../../src/modules/shipping/migrations/', import.meta.url);
  const shippingSql = readdirSync(shippingMigrations)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => readFileSync(new URL(file, shippingMigrations), 'utf8'));
  const outboxStatements = shippingSql
    .flatMap((migration) => migration.split('--> statement-breakpoint'))
    .map((statement) => statement.trim())
    .filter((statement) => statement.includes('"shipping"."outbox"'))
    .map((statement) => statement.replaceAll('"shipping"', '"fake_orders"'));
  const statements = ['CREATE SCHEMA IF NOT EXISTS "fake_orders";', ...outboxStatements];
  writeFileSync(join(folder, '0000_init.sql'), statements.join('\n--> statement-breakpoint\n'));
  mkdirSync(join(folder, 'meta'));
  writeFileSync(
    join(folder, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1_700_000_000_000, tag: '0000_init', breakpoints: true }] }),
  );
  return folder;
})();

/** What the stand-in hands the test so it can publish as orders would. */
const ordersPublisher: { db?: Database; events?: EventPublisher<typeof ordersContract> } = {};

const notImplemented = async (): Promise<never> => {
  throw new Error('not implemented: this stand-in only publishes the orders events');
};

const fakeOrdersModule = defineModule({
  name: 'fake_orders',
  provides: ordersContract,
  requires: {},
  schema: 'fake_orders',
  migrations: fakeOrdersMigrations,
  create: ({ db, events }) => {
    ordersPublisher.db = db;
    ordersPublisher.events = events;
    return { placeOrder: notImplemented, getOrder: notImplemented, listOrders: notImplemented, cancelOrder: notImplemented };
  },
});

/** Publishes an orders event in its own transaction, as the orders module does. */
const publishOrderEvent = async <E extends 'OrderConfirmed' | 'OrderCancelled'>(event: E, payload: EventPayload<typeof ordersContract, E>): Promise<string> => {
  const { db, events } = ordersPublisher;
  if (!db || !events) throw new Error('the stand-in orders module has not started');
  return db.transaction((tx) => events.publish(tx, event, payload));
};

/** Resolves once Date.now() has moved past the millisecond it was called in. */
const nextMillisecond = async (): Promise<void> => {
  const now = Date.now();
  while (Date.now() === now) await sleep(1);
};

/** A channel that records what it sends and can be told to fail the next sends. */
const recordingChannel = { sent: [] as Notification[], failures: 0 };
const channel: NotificationChannel = {
  async send(notification) {
    if (recordingChannel.failures > 0) {
      recordingChannel.failures -= 1;
      throw new Error('mail server is down');
    }
    recordingChannel.sent.push(notification);
  },
};

const address = { name: 'Grace Hopper', line1: 'Rue de Rivoli 1', city: 'Paris', postalCode: '75001', country: 'FR' };

afterAll(() => rmSync(fakeOrdersMigrations, { recursive: true, force: true }));

describe.each(databaseBackends)('notifications module on $name', (backend) => {
  let database: DatabaseHandle;
  let host: ModuleHost;
  let release: () => Promise<void>;
  let shipping: ShippingApi;
  let notifications: NotificationsApi;

  beforeAll(async () => {
    const prepared = await backend.prepare();
    release = prepared.release;
    const config = loadConfig({ NODE_ENV: 'test', ...prepared.env });
    database = await openDatabase(config.database);
    host = new ModuleHost({
      database,
      config,
      logger: createLogger({ level: 'silent' }),
      bind: inProcessBinder({ validate: true }),
      // Tests drive the relay with drain(); a failed delivery is due again at once and dead after 2 attempts.
      relay: { pollIntervalMs: 60_000, maxAttempts: 2, backoffMs: () => 0 },
    });
    await host.start([shippingModule, createNotificationsModule({ channel: () => channel }), fakeOrdersModule]);
    // Only drain() delivers from here on: a background poll, nudged by every publication,
    // would race the test's own drain() for the same rows on a real server.
    await host.relay.stop();
    shipping = host.api(shippingContract);
    notifications = host.api(notificationsContract);
  });
  afterAll(async () => {
    await host?.stop();
    await database?.close();
    await release?.();
  });
  beforeEach(async () => {
    recordingChannel.sent = [];
    recordingChannel.failures = 0;
    // Whatever an earlier test left due is delivered now, so each test counts only its own.
    await host.relay.drain();
  });

  const list = (userId: string, limit = 50) => notifications.listNotifications({ userId, limit });
  const shipOrder = (userId: string) => shipping.createShipment({ orderId: `order-${randomUUID()}`, userId, address, weightGrams: 800, service: 'standard' });

  it('tells the customer when their parcel is dispatched and when it arrives, newest first', async () => {
    const userId = `user-${randomUUID()}`;
    const shipment = await shipOrder(userId);
    await shipping.advanceShipment({ shipmentId: shipment.id });
    await host.relay.drain();
    const [dispatched] = (await list(userId)).items;
    expect(dispatched).toEqual({
      id: expect.any(String),
      userId,
      kind: 'shipment_dispatched',
      title: 'Your order is on its way',
      body: `Order ${shipment.orderId} has been dispatched. Tracking number: ${shipment.trackingNumber}.`,
      createdAt: expect.any(String),
    });

    await shipping.advanceShipment({ shipmentId: shipment.id });
    await host.relay.drain();
    const { items } = await list(userId);
    expect(items.map((item) => item.kind)).toEqual(['shipment_delivered', 'shipment_dispatched']);
    expect(items[0]).toMatchObject({ title: 'Your order has arrived', body: `Order ${shipment.orderId} has been delivered.` });
    expect(recordingChannel.sent.map((sent) => sent.id)).toEqual([dispatched!.id, items[0]!.id]);
  });

  it("turns orders' OrderConfirmed and OrderCancelled into notifications from the payload alone", async () => {
    const userId = `user-${randomUUID()}`;
    await publishOrderEvent('OrderConfirmed', { orderId: 'order-1', userId, totalCents: 123_456, currency: 'EUR' });
    // Events carry millisecond times: two in the same millisecond are equally new, and either could be listed first.
    await nextMillisecond();
    await publishOrderEvent('OrderCancelled', { orderId: 'order-2', userId, reason: 'payment declined' });
    expect(await host.relay.drain()).toBe(2);
    const { items } = await list(userId);
    expect(items.map(({ kind, title, body }) => ({ kind, title, body }))).toEqual([
      { kind: 'order_cancelled', title: 'Your order was cancelled', body: 'Order order-2 was cancelled (payment declined). Anything charged has been refunded.' },
      { kind: 'order_confirmed', title: 'Your order is confirmed', body: 'Order order-1 is confirmed and paid: 1234.56 EUR. We will tell you when it ships.' },
    ]);
  });

  it('has no second effect when an event is delivered again, by the relay or directly', async () => {
    const userId = `user-${randomUUID()}`;
    const eventId = await publishOrderEvent('OrderConfirmed', { orderId: 'order-3', userId, totalCents: 500, currency: 'EUR' });
    expect(await host.relay.drain()).toBe(1);

    // Redelivery by the relay: the row put back in line as if the first delivery's ack was lost.
    const [row] = await selectRows<{ id: string; event_type: string; payload: unknown; occurred_at: string | Date }>(
      database.db,
      sql`update fake_orders.outbox set status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = null
          where event_id = ${eventId} returning id, event_type, payload, occurred_at`,
    );
    expect(await host.relay.drain()).toBe(1);

    // Redelivery straight into the inbox, as a queue consumer in a split deployment would do it.
    const again = { id: eventId, type: row!.event_type, payload: row!.payload, occurredAt: new Date(row!.occurred_at).toISOString() };
    expect(await consumeOnce(database.db, 'notifications', again, async () => undefined)).toBe(false);

    expect((await list(userId)).items).toHaveLength(1);
    expect(recordingChannel.sent.filter((sent) => sent.userId === userId)).toHaveLength(1);
  });

  it('retries when the channel fails, recording nothing until the send succeeds', async () => {
    const userId = `user-${randomUUID()}`;
    recordingChannel.failures = 1;
    const eventId = await publishOrderEvent('OrderCancelled', { orderId: 'order-4', userId, reason: 'customer request' });
    expect(await host.relay.drain()).toBe(0);
    expect((await list(userId)).items).toEqual([]);
    const [pending] = await selectRows<{ status: string; last_error: string }>(database.db, sql`select status, last_error from fake_orders.outbox where event_id = ${eventId}`);
    expect(pending).toEqual({ status: 'pending', last_error: 'Error: mail server is down' });

    expect(await host.relay.drain()).toBe(1);
    expect((await list(userId)).items.map((item) => item.kind)).toEqual(['order_cancelled']);
    expect(recordingChannel.sent.filter((sent) => sent.userId === userId)).toHaveLength(1);
  });

  it('parks an event whose payload breaks its contract as a dead letter, notifying nobody', async () => {
    const eventId = randomUUID();
    await database.db.execute(
      sql`insert into fake_orders.outbox (id, event_id, event_type, subscriber, payload, occurred_at)
          values (${randomUUID()}, ${eventId}, 'orders/v1#OrderConfirmed', 'notifications', ${JSON.stringify({ orderId: 'order-5' })}::jsonb, now())`,
    );
    await host.relay.drain();
    await host.relay.drain();
    const letter = (await host.relay.deadLetters()).find((dead) => dead.eventId === eventId);
    expect(letter).toMatchObject({ schema: 'fake_orders', subscriber: 'notifications', attempts: 2 });
    expect(letter?.lastError).toContain('orders/v1#OrderConfirmed payload');
    expect(recordingChannel.sent).toEqual([]);
  });

  it("lists only the user's own notifications, at most `limit`", async () => {
    const [ada, bob] = [`user-${randomUUID()}`, `user-${randomUUID()}`];
    for (const orderId of ['a1', 'a2', 'a3']) {
      await publishOrderEvent('OrderConfirmed', { orderId, userId: ada, totalCents: 100, currency: 'EUR' });
      // Notifications are dated by their event, to the millisecond; within one millisecond
      // their order is the order of arrival, which concurrent relay polls do not promise.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await publishOrderEvent('OrderConfirmed', { orderId: 'b1', userId: bob, totalCents: 100, currency: 'EUR' });
    await host.relay.drain();
    expect((await list(ada)).items.map((item) => item.body.split(' ')[1])).toEqual(['a3', 'a2', 'a1']);
    expect((await list(ada, 2)).items).toHaveLength(2);
    expect((await list(bob)).items.map((item) => item.userId)).toEqual([bob]);
  });

  describe('GET /notifications', () => {
    const tokens = accessTokens('a test secret of at least thirty-two characters', 300);

    const call = async (path: string, token?: string) => {
      const app = new Hono();
      const titles = errorTitles([notificationsContract], commonErrors);
      app.onError((error, c) => problemResponse(toProblem(toSeamError(error), { instance: c.req.path, titles })));
      app.route('/api/v1', notificationsRoutes(notifications, tokens));
      const response = await app.request(`/api/v1${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, unknown> };
    };

    it("serves the signed-in customer's notifications, and nobody else's", async () => {
      const userId = `user-${randomUUID()}`;
      // Delivered one at a time: the relay delivers several events at once, so two published
      // together may be written in either order, and "newest first" needs c2 written last.
      for (const orderId of ['c1', 'c2']) {
        await publishOrderEvent('OrderConfirmed', { orderId, userId, totalCents: 100, currency: 'EUR' });
        await host.relay.drain();
      }
      await publishOrderEvent('OrderConfirmed', { orderId: 'someone-else', userId: `user-${randomUUID()}`, totalCents: 100, currency: 'EUR' });
      await host.relay.drain();
      const { token } = await tokens.issue({ userId, email: 'grace@example.com', role: 'customer' });

      const all = await call('/notifications', token);
      expect(all).toMatchObject({ status: 200, cacheControl: 'private, no-store' });
      expect((all.body['items'] as Notification[]).map((item) => [item.userId, item.kind])).toEqual([
        [userId, 'order_confirmed'],
        [userId, 'order_confirmed'],
      ]);
      expect(((await call('/notifications?limit=1', token)).body['items'] as Notification[]).map((item) => item.body.split(' ')[1])).toEqual(['c2']);
    });

    it('answers 401 without a token and 400 naming limit for a bad limit', async () => {
      expect(await call('/notifications')).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
      const { token } = await tokens.issue({ userId: 'u', email: 'u@example.com', role: 'customer' });
      for (const limit of ['0', '101', 'ten']) {
        expect(await call(`/notifications?limit=${limit}`, token)).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must be a whole number from 1 to 100' }] },
        });
      }
    });
  });
});

describe('the log channel', () => {
  it('writes one info line with the user, kind and title, and leaves the body out', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    await new LogChannel(logger).send({ id: 'n-1', userId: 'u-1', kind: 'order_confirmed', title: 'Your order is confirmed', body: 'secret details', createdAt: new Date().toISOString() });
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 30, msg: 'notification sent', notificationId: 'n-1', userId: 'u-1', kind: 'order_confirmed', title: 'Your order is confirmed' }),
    ]);
    expect(lines.join('')).not.toContain('secret details');
  });
});
