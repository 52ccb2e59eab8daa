/**
 * How the notifications module turns events into notifications, through a ModuleHost on
 * embedded PGlite and on a real PostgreSQL server (notifications-host.ts): shipping's and
 * orders' events become one notification each, redelivery has no second effect, a failing
 * channel is retried, a broken payload becomes a dead letter; and what the log channel writes.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/kernel/database.js';
import { consumeOnce } from '../../src/kernel/inbox.js';
import { LogChannel } from '../../src/modules/notifications/log-channel.js';
import { databaseBackends } from '../support/database-backends.js';
import { notificationsHostOn } from './notifications-host.js';

/** Resolves once Date.now() has moved past the millisecond it was called in. */
const nextMillisecond = async (): Promise<void> => {
  const now = Date.now();
  while (Date.now() === now) await sleep(1);
};


const address = { name: 'Grace Hopper', line1: 'Rue de Rivoli 1', city: 'Paris', postalCode: '75001', country: 'FR' };

describe.each(databaseBackends)('notifications module on $name', (backend) => {
  const host = notificationsHostOn(backend);
  const { recordingChannel, publishOrderEvent, list } = host;

  const shipOrder = (userId: string) => host.shipping.createShipment({ orderId: `order-${randomUUID()}`, userId, address, weightGrams: 800, service: 'standard' });

  it('tells the customer when their parcel is dispatched and when it arrives, newest first', async () => {
    const userId = `user-${randomUUID()}`;
    const shipment = await shipOrder(userId);
    await host.shipping.advanceShipment({ shipmentId: shipment.id });
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

    await host.shipping.advanceShipment({ shipmentId: shipment.id });
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
      host.db,
      sql`update fake_orders.outbox set status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = null
          where event_id = ${eventId} returning id, event_type, payload, occurred_at`,
    );
    expect(await host.relay.drain()).toBe(1);

    // Redelivery straight into the inbox, as a queue consumer in a split deployment would do it.
    const again = { id: eventId, type: row!.event_type, payload: row!.payload, occurredAt: new Date(row!.occurred_at).toISOString() };
    expect(await consumeOnce(host.db, 'notifications', again, async () => undefined)).toBe(false);

    expect((await list(userId)).items).toHaveLength(1);
    expect(recordingChannel.sent.filter((sent) => sent.userId === userId)).toHaveLength(1);
  });

  it('retries when the channel fails, recording nothing until the send succeeds', async () => {
    const userId = `user-${randomUUID()}`;
    recordingChannel.failures = 1;
    const eventId = await publishOrderEvent('OrderCancelled', { orderId: 'order-4', userId, reason: 'customer request' });
    expect(await host.relay.drain()).toBe(0);
    expect((await list(userId)).items).toEqual([]);
    const [pending] = await selectRows<{ status: string; last_error: string }>(host.db, sql`select status, last_error from fake_orders.outbox where event_id = ${eventId}`);
    expect(pending).toEqual({ status: 'pending', last_error: 'Error: mail server is down' });

    expect(await host.relay.drain()).toBe(1);
    expect((await list(userId)).items.map((item) => item.kind)).toEqual(['order_cancelled']);
    expect(recordingChannel.sent.filter((sent) => sent.userId === userId)).toHaveLength(1);
  });

  it('parks an event whose payload breaks its contract as a dead letter, notifying nobody', async () => {
    const eventId = randomUUID();
    await host.db.execute(
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
