/**
 * Shipments through the shipping module's contract, on embedded PGlite and on a real
 * PostgreSQL server: idempotent creation, also under races, lookups, the CREATED → DISPATCHED
 * → DELIVERED walk with its events in the outbox, and cancellation before dispatch.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/kernel/database.js';
import { databaseBackends } from '../support/database-backends.js';
import { address, newOrder, rejection, shippingHostOn } from './shipping-host.js';

describe.each(databaseBackends)('shipping module on $name', (backend) => {
  const host = shippingHostOn(backend);

  const outboxOf = (shipmentId: string) =>
    selectRows<{ event_type: string; subscriber: string; payload: Record<string, unknown> }>(
      host.db,
      sql`select event_type, subscriber, payload from shipping.outbox where payload->>'shipmentId' = ${shipmentId} order by occurred_at, event_type`,
    );
  const countRows = async (table: 'shipments' | 'tracking_events', column: string, value: string): Promise<number> => {
    const [row] = await selectRows<{ count: number }>(
      host.db,
      sql`select count(*)::int as count from ${sql.identifier('shipping')}.${sql.identifier(table)} where ${sql.identifier(column)} = ${value}`,
    );
    return row?.count ?? -1;
  };

  describe('createShipment', () => {
    it('creates a CREATED shipment with a tracking number and its first tracking event', async () => {
      const order = newOrder({ service: 'express', weightGrams: 4200 });
      const shipment = await host.shipping.createShipment(order);
      expect(shipment).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        orderId: order.orderId,
        userId: order.userId,
        status: 'CREATED',
        service: 'express',
        trackingNumber: expect.stringMatching(/^SM[0-9A-F]{12}$/),
        address,
        weightGrams: 4200,
        events: [{ status: 'CREATED', at: expect.any(String) }],
        createdAt: expect.any(String),
      });
      expect(new Date(shipment.createdAt).toISOString()).toBe(shipment.createdAt);
      expect(await host.shipping.getShipment({ shipmentId: shipment.id })).toEqual(shipment);
      expect(await host.shipping.getShipmentByOrder({ orderId: order.orderId })).toEqual(shipment);
    });

    it('returns the existing shipment for the same order, first details winning, and writes nothing more', async () => {
      const order = newOrder();
      const first = await host.shipping.createShipment(order);
      const second = await host.shipping.createShipment({ ...order, service: 'express', weightGrams: 9000 });
      expect(second).toEqual(first);
      expect(await countRows('shipments', 'order_id', order.orderId)).toBe(1);
      expect(await countRows('tracking_events', 'shipment_id', first.id)).toBe(1);
    });

    it('creates exactly one shipment when calls for one order race', async () => {
      const order = newOrder();
      const results = await Promise.all(Array.from({ length: 8 }, () => host.shipping.createShipment(order)));
      expect(new Set(results.map((shipment) => shipment.id)).size).toBe(1);
      expect(new Set(results.map((shipment) => shipment.trackingNumber)).size).toBe(1);
      for (const shipment of results) expect(shipment.events).toEqual([{ status: 'CREATED', at: expect.any(String) }]);
      expect(await countRows('shipments', 'order_id', order.orderId)).toBe(1);
      expect(await countRows('tracking_events', 'shipment_id', results[0]!.id)).toBe(1);
    });

    it('refuses an unsupported destination or a heavy parcel, naming the field, and creates nothing', async () => {
      const abroad = newOrder({ address: { ...address, country: 'KP' } });
      expect(await rejection(host.shipping.createShipment(abroad))).toMatchObject({
        code: 'UNSUPPORTED_COUNTRY',
        details: { errors: [{ field: 'address.country' }] },
      });
      const heavy = newOrder({ weightGrams: 45_000 });
      expect(await rejection(host.shipping.createShipment(heavy))).toMatchObject({ code: 'PARCEL_TOO_HEAVY', details: { errors: [{ field: 'weightGrams' }] } });
      for (const order of [abroad, heavy]) {
        expect(await rejection(host.shipping.getShipmentByOrder({ orderId: order.orderId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', kind: 'not-found' });
      }
    });
  });

  describe('lookups', () => {
    it.each([randomUUID(), 'not-a-uuid'])('reports shipment %s as 404 SHIPMENT_NOT_FOUND', async (shipmentId) => {
      expect(await rejection(host.shipping.getShipment({ shipmentId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', kind: 'not-found', details: { shipmentId } });
      expect(await rejection(host.shipping.advanceShipment({ shipmentId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', kind: 'not-found' });
    });

    it('reports an order without a shipment as 404 SHIPMENT_NOT_FOUND', async () => {
      expect(await rejection(host.shipping.getShipmentByOrder({ orderId: 'no-such-order' }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', details: { orderId: 'no-such-order' } });
    });
  });

  describe('advanceShipment', () => {
    it('walks CREATED → DISPATCHED → DELIVERED, writing each event to the outbox with the change, then refuses with 409', async () => {
      const order = newOrder();
      const created = await host.shipping.createShipment(order);
      expect(await outboxOf(created.id)).toEqual([]);

      const dispatched = await host.shipping.advanceShipment({ shipmentId: created.id });
      expect(dispatched.status).toBe('DISPATCHED');
      expect(dispatched.events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED']);
      expect(await outboxOf(created.id)).toEqual([
        {
          event_type: 'shipping/v1#ShipmentDispatched',
          subscriber: 'notifications',
          payload: { shipmentId: created.id, orderId: order.orderId, userId: order.userId, trackingNumber: created.trackingNumber },
        },
      ]);

      const delivered = await host.shipping.advanceShipment({ shipmentId: created.id });
      expect(delivered.status).toBe('DELIVERED');
      expect(delivered.events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED', 'DELIVERED']);
      expect((await outboxOf(created.id)).map((row) => [row.event_type, row.payload])).toEqual([
        ['shipping/v1#ShipmentDispatched', expect.any(Object)],
        ['shipping/v1#ShipmentDelivered', { shipmentId: created.id, orderId: order.orderId, userId: order.userId }],
      ]);

      expect(await rejection(host.shipping.advanceShipment({ shipmentId: created.id }))).toMatchObject({
        code: 'SHIPMENT_ALREADY_DELIVERED',
        kind: 'conflict',
        details: { shipmentId: created.id, orderId: order.orderId },
      });
      expect(await outboxOf(created.id)).toHaveLength(2);
      expect(await host.shipping.getShipment({ shipmentId: created.id })).toEqual(delivered);
    });

    it('never moves two concurrent advances from the same state', async () => {
      const created = await host.shipping.createShipment(newOrder());
      const results = await Promise.allSettled([1, 2, 3].map(() => host.shipping.advanceShipment({ shipmentId: created.id })));
      const moved = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.status] : []));
      expect(moved.sort()).toEqual(['DELIVERED', 'DISPATCHED']);
      const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      expect(refused).toMatchObject([{ code: 'SHIPMENT_ALREADY_DELIVERED' }]);
      expect((await host.shipping.getShipment({ shipmentId: created.id })).events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED', 'DELIVERED']);
      expect((await outboxOf(created.id)).map((row) => row.event_type)).toEqual(['shipping/v1#ShipmentDispatched', 'shipping/v1#ShipmentDelivered']);
    });
  });

  describe('cancelShipment', () => {
    it('cancels before dispatch, idempotently; a cancelled shipment neither advances nor comes back', async () => {
      const order = newOrder();
      const created = await host.shipping.createShipment(order);
      const first = await host.shipping.cancelShipment({ orderId: order.orderId });
      expect(first).toEqual({ outcome: 'CANCELLED', shipment: { ...created, status: 'CANCELLED', events: [created.events[0], { status: 'CANCELLED', at: expect.any(String) }] } });
      expect(await host.shipping.cancelShipment({ orderId: order.orderId })).toEqual(first);
      expect(await rejection(host.shipping.advanceShipment({ shipmentId: created.id }))).toMatchObject({ code: 'SHIPMENT_CANCELLED', kind: 'conflict' });
      // createShipment is idempotent per order: a late retry of the saga's step gets the cancelled shipment, not a new one.
      expect(await host.shipping.createShipment(order)).toMatchObject({ id: created.id, status: 'CANCELLED' });
      expect(await outboxOf(created.id)).toEqual([]);
    });

    it('reports NO_SHIPMENT for an order that has none, so a compensation needs no special case', async () => {
      expect(await host.shipping.cancelShipment({ orderId: 'order-never-shipped' })).toEqual({ outcome: 'NO_SHIPMENT', orderId: 'order-never-shipped' });
    });

    it('refuses once dispatched or delivered with 409 SHIPMENT_ALREADY_DISPATCHED, leaving the shipment as it was', async () => {
      const order = newOrder();
      const created = await host.shipping.createShipment(order);
      for (const status of ['DISPATCHED', 'DELIVERED'] as const) {
        const advanced = await host.shipping.advanceShipment({ shipmentId: created.id });
        expect(advanced.status).toBe(status);
        expect(await rejection(host.shipping.cancelShipment({ orderId: order.orderId }))).toMatchObject({
          code: 'SHIPMENT_ALREADY_DISPATCHED',
          kind: 'conflict',
          details: { shipmentId: created.id, orderId: order.orderId, status },
        });
        expect(await host.shipping.getShipment({ shipmentId: created.id })).toEqual(advanced);
      }
    });
  });
});
