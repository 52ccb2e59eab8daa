/**
 * The shipping module through a ModuleHost, on embedded PGlite and on a real PostgreSQL:
 * rates, idempotent creation, the CREATED → DISPATCHED → DELIVERED walk with its events in
 * the outbox, cancellation, and the two gateway routes.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippingRoutes } from '../../src/api/shipping.routes.js';
import { errorTitles, problemResponse, toProblem } from '../../src/gateway/problem.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import { loadConfig } from '../../src/kernel/config.js';
import { openDatabase, selectRows, type DatabaseHandle } from '../../src/kernel/database.js';
import { commonErrors, toSeamError } from '../../src/kernel/errors.js';
import { createLogger } from '../../src/kernel/logger.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import { notificationsModule } from '../../src/modules/notifications/module.js';
import { shippingContract, type Shipment, type ShippingApi } from '../../src/modules/shipping/contract.js';
import { shippingModule } from '../../src/modules/shipping/module.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import { databaseBackends } from '../support/database-backends.js';

const address = { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };

const newOrder = (overrides: Partial<Parameters<ShippingApi['createShipment']>[0]> = {}) => ({
  orderId: `order-${randomUUID()}`,
  userId: `user-${randomUUID()}`,
  address,
  weightGrams: 1200,
  service: 'standard' as const,
  ...overrides,
});

/** The rejection of `promise`, to assert on its code, status and details. */
const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

describe.each(databaseBackends)('shipping module on $name', (backend) => {
  let database: DatabaseHandle;
  let host: ModuleHost;
  let release: () => Promise<void>;
  let shipping: ShippingApi;

  beforeAll(async () => {
    const prepared = await backend.prepare();
    release = prepared.release;
    const config = loadConfig({ NODE_ENV: 'test', ...prepared.env });
    database = await openDatabase(config.database);
    host = new ModuleHost({ database, config, logger: createLogger({ level: 'silent' }), bind: inProcessBinder({ validate: true }), relay: { pollIntervalMs: 60_000 } });
    // Notifications subscribes to shipping's events: without a subscriber no outbox row is written.
    await host.start([shippingModule, notificationsModule]);
    // The outbox rows are what these tests inspect; no background delivery moves them meanwhile.
    await host.relay.stop();
    shipping = host.api(shippingContract);
  });
  afterAll(async () => {
    await host?.stop();
    await database?.close();
    await release?.();
  });

  const outboxOf = (shipmentId: string) =>
    selectRows<{ event_type: string; subscriber: string; payload: Record<string, unknown> }>(
      database.db,
      sql`select event_type, subscriber, payload from shipping.outbox where payload->>'shipmentId' = ${shipmentId} order by occurred_at, event_type`,
    );
  const countRows = async (table: 'shipments' | 'tracking_events', column: string, value: string): Promise<number> => {
    const [row] = await selectRows<{ count: number }>(
      database.db,
      sql`select count(*)::int as count from ${sql.identifier('shipping')}.${sql.identifier(table)} where ${sql.identifier(column)} = ${value}`,
    );
    return row?.count ?? -1;
  };

  describe('quoteRates', () => {
    it.each([
      ['DE', 'domestic', 499, 2, 999, 1],
      ['FR', 'EU', 999, 5, 1999, 2],
      ['AT', 'EU', 999, 5, 1999, 2],
      ['US', 'rest of world', 1999, 10, 3999, 4],
      ['GB', 'rest of world', 1999, 10, 3999, 4],
    ])('prices %s (%s) for 1.2 kg', async (country, _zone, standard, standardDays, express, expressDays) => {
      expect(await shipping.quoteRates({ country, weightGrams: 1200 })).toEqual({
        rates: [
          { service: 'standard', priceCents: standard, currency: 'EUR', estimatedDays: standardDays },
          { service: 'express', priceCents: express, currency: 'EUR', estimatedDays: expressDays },
        ],
      });
    });

    it.each([
      [1, 499],
      [2000, 499],
      [2001, 699],
      [5000, 699],
      [5001, 999],
      [10_000, 999],
      [10_001, 1699],
      [30_000, 1699],
    ])('prices a domestic parcel of %i g at %i cents (standard)', async (weightGrams, priceCents) => {
      const { rates } = await shipping.quoteRates({ country: 'DE', weightGrams });
      expect(rates.find((rate) => rate.service === 'standard')?.priceCents).toBe(priceCents);
    });

    it('refuses a parcel over 30 kg with 422 PARCEL_TOO_HEAVY naming weightGrams', async () => {
      expect(await rejection(shipping.quoteRates({ country: 'DE', weightGrams: 30_001 }))).toMatchObject({
        code: 'PARCEL_TOO_HEAVY',
        kind: 'refused',
        details: { maxWeightGrams: 30_000, errors: [{ field: 'weightGrams', message: 'must be at most 30000 grams' }] },
      });
    });

    it.each(['XX', 'RU', 'BR'])('refuses %s with 422 UNSUPPORTED_COUNTRY naming country', async (country) => {
      expect(await rejection(shipping.quoteRates({ country, weightGrams: 1000 }))).toMatchObject({
        code: 'UNSUPPORTED_COUNTRY',
        kind: 'refused',
        details: { country, errors: [{ field: 'country', message: `we do not ship to ${country}` }] },
      });
    });

    it.each([
      ['a lower-case country', { country: 'de', weightGrams: 1000 }, 'country'],
      ['a zero weight', { country: 'DE', weightGrams: 0 }, 'weightGrams'],
      ['a fractional weight', { country: 'DE', weightGrams: 1.5 }, 'weightGrams'],
    ])('refuses %s at the contract with 400 VALIDATION_FAILED', async (_, input, field) => {
      expect(await rejection(shipping.quoteRates(input))).toMatchObject({ code: 'VALIDATION_FAILED', kind: 'invalid', details: { errors: [{ field }] } });
    });
  });

  describe('createShipment', () => {
    it('creates a CREATED shipment with a tracking number and its first tracking event', async () => {
      const order = newOrder({ service: 'express', weightGrams: 4200 });
      const shipment = await shipping.createShipment(order);
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
      expect(await shipping.getShipment({ shipmentId: shipment.id })).toEqual(shipment);
      expect(await shipping.getShipmentByOrder({ orderId: order.orderId })).toEqual(shipment);
    });

    it('returns the existing shipment for the same order, first details winning, and writes nothing more', async () => {
      const order = newOrder();
      const first = await shipping.createShipment(order);
      const second = await shipping.createShipment({ ...order, service: 'express', weightGrams: 9000 });
      expect(second).toEqual(first);
      expect(await countRows('shipments', 'order_id', order.orderId)).toBe(1);
      expect(await countRows('tracking_events', 'shipment_id', first.id)).toBe(1);
    });

    it('creates exactly one shipment when calls for one order race', async () => {
      const order = newOrder();
      const results = await Promise.all(Array.from({ length: 8 }, () => shipping.createShipment(order)));
      expect(new Set(results.map((shipment) => shipment.id)).size).toBe(1);
      expect(new Set(results.map((shipment) => shipment.trackingNumber)).size).toBe(1);
      for (const shipment of results) expect(shipment.events).toEqual([{ status: 'CREATED', at: expect.any(String) }]);
      expect(await countRows('shipments', 'order_id', order.orderId)).toBe(1);
      expect(await countRows('tracking_events', 'shipment_id', results[0]!.id)).toBe(1);
    });

    it('refuses an unsupported destination or a heavy parcel, naming the field, and creates nothing', async () => {
      const abroad = newOrder({ address: { ...address, country: 'KP' } });
      expect(await rejection(shipping.createShipment(abroad))).toMatchObject({
        code: 'UNSUPPORTED_COUNTRY',
        details: { errors: [{ field: 'address.country' }] },
      });
      const heavy = newOrder({ weightGrams: 45_000 });
      expect(await rejection(shipping.createShipment(heavy))).toMatchObject({ code: 'PARCEL_TOO_HEAVY', details: { errors: [{ field: 'weightGrams' }] } });
      for (const order of [abroad, heavy]) {
        expect(await rejection(shipping.getShipmentByOrder({ orderId: order.orderId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', kind: 'not-found' });
      }
    });
  });

  describe('lookups', () => {
    it.each([randomUUID(), 'not-a-uuid'])('reports shipment %s as 404 SHIPMENT_NOT_FOUND', async (shipmentId) => {
      expect(await rejection(shipping.getShipment({ shipmentId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', kind: 'not-found', details: { shipmentId } });
      expect(await rejection(shipping.advanceShipment({ shipmentId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', kind: 'not-found' });
    });

    it('reports an order without a shipment as 404 SHIPMENT_NOT_FOUND', async () => {
      expect(await rejection(shipping.getShipmentByOrder({ orderId: 'no-such-order' }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', details: { orderId: 'no-such-order' } });
    });
  });

  describe('advanceShipment', () => {
    it('walks CREATED → DISPATCHED → DELIVERED, writing each event to the outbox with the change, then refuses with 409', async () => {
      const order = newOrder();
      const created = await shipping.createShipment(order);
      expect(await outboxOf(created.id)).toEqual([]);

      const dispatched = await shipping.advanceShipment({ shipmentId: created.id });
      expect(dispatched.status).toBe('DISPATCHED');
      expect(dispatched.events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED']);
      expect(await outboxOf(created.id)).toEqual([
        {
          event_type: 'shipping/v1#ShipmentDispatched',
          subscriber: 'notifications',
          payload: { shipmentId: created.id, orderId: order.orderId, userId: order.userId, trackingNumber: created.trackingNumber },
        },
      ]);

      const delivered = await shipping.advanceShipment({ shipmentId: created.id });
      expect(delivered.status).toBe('DELIVERED');
      expect(delivered.events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED', 'DELIVERED']);
      expect((await outboxOf(created.id)).map((row) => [row.event_type, row.payload])).toEqual([
        ['shipping/v1#ShipmentDispatched', expect.any(Object)],
        ['shipping/v1#ShipmentDelivered', { shipmentId: created.id, orderId: order.orderId, userId: order.userId }],
      ]);

      expect(await rejection(shipping.advanceShipment({ shipmentId: created.id }))).toMatchObject({
        code: 'SHIPMENT_ALREADY_DELIVERED',
        kind: 'conflict',
        details: { shipmentId: created.id, orderId: order.orderId },
      });
      expect(await outboxOf(created.id)).toHaveLength(2);
      expect(await shipping.getShipment({ shipmentId: created.id })).toEqual(delivered);
    });

    it('never moves two concurrent advances from the same state', async () => {
      const created = await shipping.createShipment(newOrder());
      const results = await Promise.allSettled([1, 2, 3].map(() => shipping.advanceShipment({ shipmentId: created.id })));
      const moved = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.status] : []));
      expect(moved.sort()).toEqual(['DELIVERED', 'DISPATCHED']);
      const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      expect(refused).toMatchObject([{ code: 'SHIPMENT_ALREADY_DELIVERED' }]);
      expect((await shipping.getShipment({ shipmentId: created.id })).events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED', 'DELIVERED']);
      expect((await outboxOf(created.id)).map((row) => row.event_type)).toEqual(['shipping/v1#ShipmentDispatched', 'shipping/v1#ShipmentDelivered']);
    });
  });

  describe('cancelShipment', () => {
    it('cancels before dispatch, idempotently; a cancelled shipment neither advances nor comes back', async () => {
      const order = newOrder();
      const created = await shipping.createShipment(order);
      const first = await shipping.cancelShipment({ orderId: order.orderId });
      expect(first).toEqual({ outcome: 'CANCELLED', shipment: { ...created, status: 'CANCELLED', events: [created.events[0], { status: 'CANCELLED', at: expect.any(String) }] } });
      expect(await shipping.cancelShipment({ orderId: order.orderId })).toEqual(first);
      expect(await rejection(shipping.advanceShipment({ shipmentId: created.id }))).toMatchObject({ code: 'SHIPMENT_CANCELLED', kind: 'conflict' });
      // createShipment is idempotent per order: a late retry of the saga's step gets the cancelled shipment, not a new one.
      expect(await shipping.createShipment(order)).toMatchObject({ id: created.id, status: 'CANCELLED' });
      expect(await outboxOf(created.id)).toEqual([]);
    });

    it('reports NO_SHIPMENT for an order that has none, so a compensation needs no special case', async () => {
      expect(await shipping.cancelShipment({ orderId: 'order-never-shipped' })).toEqual({ outcome: 'NO_SHIPMENT', orderId: 'order-never-shipped' });
    });

    it('refuses once dispatched or delivered with 409 SHIPMENT_ALREADY_DISPATCHED, leaving the shipment as it was', async () => {
      const order = newOrder();
      const created = await shipping.createShipment(order);
      for (const status of ['DISPATCHED', 'DELIVERED'] as const) {
        const advanced = await shipping.advanceShipment({ shipmentId: created.id });
        expect(advanced.status).toBe(status);
        expect(await rejection(shipping.cancelShipment({ orderId: order.orderId }))).toMatchObject({
          code: 'SHIPMENT_ALREADY_DISPATCHED',
          kind: 'conflict',
          details: { shipmentId: created.id, orderId: order.orderId, status },
        });
        expect(await shipping.getShipment({ shipmentId: created.id })).toEqual(advanced);
      }
    });
  });

  describe('routes', () => {
    const tokens = accessTokens('a test secret of at least thirty-two characters', 300);
    const admin = () => tokens.issue({ userId: 'admin-1', email: 'admin@seam.local', role: 'admin' });
    const customer = () => tokens.issue({ userId: 'customer-1', email: 'ada@example.com', role: 'customer' });

    /** The routes behind the gateway's problem+json error handling, as createGateway mounts them. */
    const gateway = (): Hono => {
      const titles = errorTitles([shippingContract], commonErrors);
      const app = new Hono();
      app.onError((error, c) => problemResponse(toProblem(toSeamError(error), { instance: c.req.path, titles })));
      app.route('/api/v1', shippingRoutes(shipping, tokens));
      return app;
    };
    const call = async (method: string, path: string, token?: string) => {
      const response = await gateway().request(`/api/v1${path}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
    };

    it('quotes rates for anyone, forgiving a lower-case country', async () => {
      expect(await call('GET', '/shipping/rates?country=de&weightGrams=1200')).toMatchObject({
        status: 200,
        body: { rates: [{ service: 'standard', priceCents: 499 }, { service: 'express', priceCents: 999 }] },
      });
    });

    it.each([
      ['?weightGrams=1200', 'country', 'is required'],
      ['?country=&weightGrams=1200', 'country', 'is required'],
      ['?country=Germany&weightGrams=1200', 'country', 'must be a two-letter country code (ISO 3166-1 alpha-2)'],
      ['?country=DE', 'weightGrams', 'is required'],
      ['?country=DE&weightGrams=abc', 'weightGrams', 'must be a whole number from 1 to 999999999'],
      ['?country=DE&weightGrams=0', 'weightGrams', 'must be a whole number from 1 to 999999999'],
    ])('answers %s with 400 naming %s', async (query, field, message) => {
      const reply = await call('GET', `/shipping/rates${query}`);
      expect(reply).toMatchObject({ status: 400, type: 'application/problem+json', body: { code: 'VALIDATION_FAILED', errors: [{ field, message }] } });
    });

    it.each([
      ['?country=DE&weightGrams=40000', 'PARCEL_TOO_HEAVY', 'weightGrams'],
      ['?country=XX&weightGrams=1000', 'UNSUPPORTED_COUNTRY', 'country'],
    ])('answers %s with 422 %s', async (query, code, field) => {
      expect(await call('GET', `/shipping/rates${query}`)).toMatchObject({ status: 422, body: { code, errors: [{ field }] } });
    });

    it('lets only an admin advance a shipment: 401 without a token, 403 for a customer, 200 for an admin', async () => {
      const created = await shipping.createShipment(newOrder());
      const path = `/shipments/${created.id}/advance`;
      expect(await call('POST', path)).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
      expect(await call('POST', path, (await customer()).token)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      const reply = await call('POST', path, (await admin()).token);
      expect(reply).toMatchObject({ status: 200, body: { id: created.id, status: 'DISPATCHED' } });
      expect((reply.body as unknown as Shipment).events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED']);
      expect(await call('POST', `/shipments/${randomUUID()}/advance`, (await admin()).token)).toMatchObject({ status: 404, body: { code: 'SHIPMENT_NOT_FOUND' } });
    });
  });
});
