/**
 * @module The notifications tests' host: shipping, the notifications module sending through a
 * recording channel, and a stand-in that provides `ordersContract` (its methods throw) and
 * publishes the orders events through its own outbox, as the real orders module does, so the
 * tests need no checkout. One ModuleHost on one of the database backends for a suite, whose
 * relay delivers only when a test drains it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach } from 'vitest';
import type { EventPayload } from '../../src/kernel/contract.js';
import type { Database } from '../../src/kernel/database.js';
import type { EventPublisher } from '../../src/kernel/events.js';
import { defineModule } from '../../src/kernel/module.js';
import type { OutboxRelay } from '../../src/kernel/outbox-relay.js';
import type { NotificationChannel } from '../../src/modules/notifications/channel.js';
import { notificationsContract, type Notification, type NotificationsApi } from '../../src/modules/notifications/contract.js';
import { createNotificationsModule } from '../../src/modules/notifications/module.js';
import { ordersContract } from '../../src/modules/orders/contract.js';
import { shippingContract, type ShippingApi } from '../../src/modules/shipping/contract.js';
import { shippingModule } from '../../src/modules/shipping/module.js';
import type { DatabaseBackend } from '../support/database-backends.js';
import { hostPerSuite } from '../support/host-per-suite.js';

/**
 * Migrations for the stand-in's schema, in a new temporary folder: the outbox statements of
 * shipping's own migrations, renamed, so the table stays whatever the kernel's `outboxTable` generates.
 */
const fakeOrdersMigrations = (): string => {
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
};

/** What the stand-in hands the test so it can publish as orders would. */
interface OrdersPublisher {
  db?: Database;
  events?: EventPublisher<typeof ordersContract>;
}

const notImplemented = async (): Promise<never> => {
  throw new Error('not implemented: this stand-in only publishes the orders events');
};

const fakeOrdersModule = (migrations: string, publisher: OrdersPublisher) =>
  defineModule({
    name: 'fake_orders',
    provides: ordersContract,
    requires: {},
    schema: 'fake_orders',
    migrations,
    create: ({ db, events }) => {
      publisher.db = db;
      publisher.events = events;
      return { placeOrder: notImplemented, getOrder: notImplemented, listOrders: notImplemented, cancelOrder: notImplemented };
    },
  });

/** A channel that records what it sends and can be told to fail the next sends. */
export interface RecordingChannel {
  sent: Notification[];
  failures: number;
}

export interface NotificationsHost {
  readonly recordingChannel: RecordingChannel;
  /** The host's relay, its database and the APIs, inside tests. */
  readonly relay: OutboxRelay;
  readonly db: Database;
  readonly shipping: ShippingApi;
  readonly notifications: NotificationsApi;
  /** Publishes an orders event in its own transaction, as the orders module does. */
  publishOrderEvent<E extends 'OrderConfirmed' | 'OrderCancelled'>(event: E, payload: EventPayload<typeof ordersContract, E>): Promise<string>;
  list(userId: string, limit?: number): ReturnType<NotificationsApi['listNotifications']>;
}

/**
 * Registers the hooks that start the host on `backend` before the enclosing suite's tests and
 * stop it after them, and that reset the channel and deliver what is due before each test.
 */
export const notificationsHostOn = (backend: DatabaseBackend): NotificationsHost => {
  const recordingChannel: RecordingChannel = { sent: [], failures: 0 };
  const channel: NotificationChannel = {
    async send(notification) {
      if (recordingChannel.failures > 0) {
        recordingChannel.failures -= 1;
        throw new Error('mail server is down');
      }
      recordingChannel.sent.push(notification);
    },
  };
  const publisher: OrdersPublisher = {};
  let migrations: string | undefined;
  // Registered first, so that it runs after the host has stopped.
  afterAll(() => {
    if (migrations) rmSync(migrations, { recursive: true, force: true });
  });
  const suite = hostPerSuite(
    backend,
    () => {
      migrations = fakeOrdersMigrations();
      return [shippingModule, createNotificationsModule({ channel: () => channel }), fakeOrdersModule(migrations, publisher)];
    },
    {
      // Tests drive the relay with drain(); a failed delivery is due again at once and dead after 2 attempts.
      relay: { pollIntervalMs: 60_000, maxAttempts: 2, backoffMs: () => 0 },
      // Only drain() delivers from here on: a background poll, nudged by every publication,
      // would race the test's own drain() for the same rows on a real server.
      ready: (running) => running.host.relay.stop(),
    },
  );
  beforeEach(async () => {
    recordingChannel.sent = [];
    recordingChannel.failures = 0;
    // Whatever an earlier test left due is delivered now, so each test counts only its own.
    await suite.running.host.relay.drain();
  });

  return {
    recordingChannel,
    get relay() {
      return suite.running.host.relay;
    },
    get db() {
      return suite.running.database.db;
    },
    get shipping() {
      return suite.running.host.api(shippingContract);
    },
    get notifications() {
      return suite.running.host.api(notificationsContract);
    },
    async publishOrderEvent(event, payload) {
      const { db, events } = publisher;
      if (!db || !events) throw new Error('the stand-in orders module has not started');
      return db.transaction((tx) => events.publish(tx, event, payload));
    },
    list: (userId, limit = 50) => suite.running.host.api(notificationsContract).listNotifications({ userId, limit }),
  };
};
