/**
 * The orders module and its checkout saga through the real contract binding, with the real
 * catalog, inventory, payments, shipping and notifications modules in one ModuleHost, on
 * embedded PGlite and on a real PostgreSQL server: confirmation, every way checkout can end
 * in cancellation and its compensations, retries of transient failures, answering PENDING
 * and finishing in the background, idempotency (also under races), customer cancellation,
 * and taking over a checkout whose process died.
 *
 * Faults are injected by wrapping the APIs the orders module gets for its dependencies (see
 * ../support/fault-injection.ts); each rule matches one test's user only. A "restart" is a
 * second ModuleHost on the same database: fresh module instances, so no card held in memory.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput } from '../../src/kernel/contract.js';
import { selectRows, type Database } from '../../src/kernel/database.js';
import { SeamError } from '../../src/kernel/errors.js';
import { eventType } from '../../src/kernel/events.js';
import { defineModule, type AnyModule } from '../../src/kernel/module.js';
import { catalogContract, type CatalogApi } from '../../src/modules/catalog/contract.js';
import { catalogModule } from '../../src/modules/catalog/module.js';
import { inventoryContract, type InventoryApi } from '../../src/modules/inventory/contract.js';
import { InventoryService } from '../../src/modules/inventory/inventory.service.js';
import { inventoryModule } from '../../src/modules/inventory/module.js';
import { StockRepository } from '../../src/modules/inventory/stock.repository.js';
import { notificationsContract } from '../../src/modules/notifications/contract.js';
import { notificationsModule } from '../../src/modules/notifications/module.js';
import { ordersContract, type Order, type OrdersApi } from '../../src/modules/orders/contract.js';
import { ordersModule } from '../../src/modules/orders/module.js';
import { paymentsContract, type PaymentsApi } from '../../src/modules/payments/contract.js';
import { createPaymentsModule } from '../../src/modules/payments/module.js';
import { SimulatedCardProcessor, testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { ParcelTooHeavy, shippingContract, type ShippingApi } from '../../src/modules/shipping/contract.js';
import { shippingModule } from '../../src/modules/shipping/module.js';
import { databaseBackends } from '../support/database-backends.js';
import { FaultInjector, Gate, refuse, unavailable } from '../support/fault-injection.js';
import { startHostOn, type HostOnDatabase } from '../support/host-on-database.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

type PlaceOrderInput = MethodInput<typeof ordersContract, 'placeOrder'>;

/** The orders module, with its dependencies as `faults` lets them through. */
const ordersWith = (faults: FaultInjector) =>
  defineModule({
    ...ordersModule,
    create: (context) =>
      ordersModule.create({
        ...context,
        deps: {
          ...context.deps,
          inventory: faults.wrap(inventoryContract, context.deps.inventory),
          payments: faults.wrap(paymentsContract, context.deps.payments),
          shipping: faults.wrap(shippingContract, context.deps.shipping),
        },
      }),
  });

/** Every module checkout touches. One card processor for all hosts: it is outside the process. */
const shopModules = (faults: FaultInjector, processor: SimulatedCardProcessor): AnyModule[] => [
  catalogModule,
  inventoryModule,
  createPaymentsModule({ processor }),
  shippingModule,
  ordersWith(faults),
  notificationsModule,
];

const address = { name: 'Ada Lovelace', line1: '12 Analytical Street', city: 'Berlin', postalCode: '10115', country: 'DE' };

const card = (cardNumber: string = testCards.success) => ({ cardNumber, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' });

const newUser = (): string => `user-${randomUUID()}`;

const orderInput = (userId: string, items: PlaceOrderInput['items'], cardNumber: string = testCards.success, idempotencyKey: string = randomUUID()): PlaceOrderInput => ({
  userId,
  idempotencyKey,
  items,
  shippingAddress: address,
  payment: card(cardNumber),
});

/** The error a call fails with; fails the test if the call succeeds. */
const failure = (call: Promise<unknown>): Promise<SeamError> =>
  call.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as SeamError,
  );

/** Polls `probe` until it returns a value, for work that finishes in the background. */
const eventually = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(50);
  }
};

describe.each(databaseBackends)('orders on $name', (backend) => {
  let running: TestHost;
  let release: () => Promise<void>;
  let env: Record<string, string>;
  let db: Database;
  let orders: OrdersApi;
  let catalog: CatalogApi;
  let inventory: InventoryApi;
  let payments: PaymentsApi;
  let shipping: ShippingApi;
  let categorySlug: string;
  const faults = new FaultInjector();
  const processor = new SimulatedCardProcessor();

  beforeAll(async () => {
    const prepared = await backend.prepare();
    release = prepared.release;
    env = prepared.env;
    // This host's resumer stays out of the way (60 s): sagas here are driven by placeOrder and
    // cancelOrder, and it must not take over checkouts of the other hosts some tests start.
    running = await startTestHost(shopModules(faults, processor), { ...env, CHECKOUT_DEADLINE_MS: '5000', CHECKOUT_RESUME_INTERVAL_MS: '60000' });
    await running.host.seed({ onlyIfEmpty: true });
    db = running.database.db;
    orders = running.host.api(ordersContract);
    catalog = running.host.api(catalogContract);
    inventory = running.host.api(inventoryContract);
    payments = running.host.api(paymentsContract);
    shipping = running.host.api(shippingContract);
    categorySlug = (await catalog.listCategories({})).items[0]!.slug;
  });
  afterAll(async () => {
    await running?.stop();
    await release?.();
  });
  afterEach(() => faults.clear());

  /** A fresh product (25.00 EUR, 800 g) with `available` units, so tests share no stock. */
  const stockedProduct = async (available: number): Promise<string> => {
    const product = await catalog.createProduct({
      sku: `T-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: 'Test Lamp',
      description: 'A lamp for order tests',
      priceCents: 2500,
      currency: 'EUR',
      categorySlug,
      weightGrams: 800,
    });
    await inventory.setStock({ productId: product.id, available });
    return product.id;
  };
  const availableOf = async (productId: string): Promise<number> => (await inventory.getStock({ productIds: [productId] })).items[0]!.available;
  const standardShippingCents = async (weightGrams: number): Promise<number> =>
    (await shipping.quoteRates({ country: address.country, weightGrams })).rates.find((rate) => rate.service === 'standard')!.priceCents;
  const reservationStatus = async (orderId: string): Promise<string | undefined> =>
    (await selectRows<{ status: string }>(db, sql`select status from inventory.reservations where id = ${orderId}`))[0]?.status;
  const outboxOf = (orderId: string) =>
    selectRows<{ event_type: string; subscriber: string; payload: Record<string, unknown> }>(
      db,
      sql`select event_type, subscriber, payload from orders.outbox where payload->>'orderId' = ${orderId} order by occurred_at`,
    );
  const orderRows = (userId: string) =>
    selectRows<{ id: string; status: string; saga_step: string; saga_attempts: number }>(
      db,
      sql`select id, status, saga_step, saga_attempts from orders.orders where user_id = ${userId} order by created_at`,
    );
  const chargeCalls = (orderId: string) => faults.calls(paymentsContract, 'charge', (input) => input.orderId === orderId).length;
  /** The one order `userId` has: the orders that fail placeOrder still exist, named in the error. */
  const onlyOrderOf = async (userId: string): Promise<Order> => {
    const { items } = await orders.listOrders({ userId, limit: 10 });
    expect(items).toHaveLength(1);
    return items[0]!;
  };
  const paymentNotFound = async (orderId: string): Promise<void> => {
    expect(await failure(payments.getPaymentByOrder({ orderId }))).toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
  };

  describe('checkout', () => {
    it('confirms a new order within the request, and reads it back exactly as it answered', async () => {
      const user = newUser();
      const order = await orders.placeOrder(orderInput(user, [{ productId: await stockedProduct(1), quantity: 1 }]));
      expect(order.status).toBe('CONFIRMED');
      expect(await orders.getOrder({ userId: user, orderId: order.id })).toEqual(order);
    });

    it('confirms an order: stock committed, payment captured once, shipment created, OrderConfirmed published and consumed', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const chargesBefore = processor.charges.length;
      const shippingCents = await standardShippingCents(1600);

      const order = await orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));

      expect(order).toMatchObject({
        userId: user,
        status: 'CONFIRMED',
        items: [{ productId, name: 'Test Lamp', quantity: 2, unitPriceCents: 2500, lineTotalCents: 5000 }],
        itemsCents: 5000,
        shippingCents,
        totalCents: 5000 + shippingCents,
        currency: 'EUR',
        shippingAddress: address,
        shipmentId: expect.any(String),
        paymentLast4: '4242',
        cancellationReason: null,
      });
      expect(await availableOf(productId)).toBe(3);
      expect(await reservationStatus(order.id)).toBe('COMMITTED');

      expect(await payments.getPaymentByOrder({ orderId: order.id })).toMatchObject({
        status: 'CAPTURED',
        amountCents: order.totalCents,
        currency: 'EUR',
        userId: user,
        last4: '4242',
        attempts: 1,
        refundedCents: 0,
      });
      expect(chargeCalls(order.id)).toBe(1);
      expect(processor.charges.length - chargesBefore).toBe(1);

      expect(await shipping.getShipmentByOrder({ orderId: order.id })).toMatchObject({
        id: order.shipmentId,
        status: 'CREATED',
        userId: user,
        service: 'standard',
        weightGrams: 1600,
        address,
      });

      expect(await orders.getOrder({ userId: user, orderId: order.id })).toEqual(order);
      expect((await orders.listOrders({ userId: user, limit: 10 })).items).toEqual([order]);

      expect(await outboxOf(order.id)).toEqual([
        {
          event_type: eventType(ordersContract, 'OrderConfirmed'),
          subscriber: 'notifications',
          payload: { orderId: order.id, userId: user, totalCents: order.totalCents, currency: 'EUR' },
        },
      ]);
      const notifications = running.host.api(notificationsContract);
      const kinds = await eventually(async () => {
        const { items } = await notifications.listNotifications({ userId: user, limit: 10 });
        return items.length > 0 ? items.map((item) => item.kind) : undefined;
      });
      expect(kinds).toEqual(['order_confirmed']);
    });

    it.each([
      { card: 'declined', number: testCards.declined, reason: 'card_declined' },
      { card: 'insufficient funds', number: testCards.insufficientFunds, reason: 'insufficient_funds' },
    ])('cancels the order when the card is refused ($card): PAYMENT_DECLINED, stock released, nothing captured', async ({ number, reason }) => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const chargesBefore = processor.charges.length;

      const error = await failure(orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }], number)));

      expect(error).toMatchObject({ code: 'PAYMENT_DECLINED', kind: 'refused', details: { orderId: expect.any(String), reason } });
      const orderId = String(error.details?.['orderId']);
      expect(await orders.getOrder({ userId: user, orderId })).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'payment_declined',
        paymentLast4: null,
        shipmentId: null,
      });
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(orderId)).toBe('RELEASED');
      expect(await payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'DECLINED', declineReason: reason, refundedCents: 0, attempts: 1 });
      expect(processor.charges.length).toBe(chargesBefore);
      expect(await failure(shipping.getShipmentByOrder({ orderId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND' });
      expect((await outboxOf(orderId)).map((row) => [row.event_type, row.payload['reason']])).toEqual([
        [eventType(ordersContract, 'OrderCancelled'), 'payment_declined'],
      ]);
    });

    it('retries a transient processing error maxChargeAttempts (3) times, then cancels: PAYMENT_FAILED', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const chargesBefore = processor.charges.length;

      const error = await failure(orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }], testCards.processingError)));

      expect(error).toMatchObject({ code: 'PAYMENT_FAILED', kind: 'unavailable', details: { orderId: expect.any(String) } });
      const orderId = String(error.details?.['orderId']);
      expect(chargeCalls(orderId)).toBe(3);
      expect(await payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'FAILED', attempts: 3, refundedCents: 0 });
      expect(processor.charges.length).toBe(chargesBefore);
      expect(await orders.getOrder({ userId: user, orderId })).toMatchObject({ status: 'CANCELLED', cancellationReason: 'payment_failed' });
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(orderId)).toBe('RELEASED');
    });

    it('refuses an order for more than is in stock: OUT_OF_STOCK naming the product, no stock changed, the order CANCELLED', async () => {
      const user = newUser();
      const plenty = await stockedProduct(5);
      const scarce = await stockedProduct(1);

      const error = await failure(orders.placeOrder(orderInput(user, [{ productId: plenty, quantity: 2 }, { productId: scarce, quantity: 2 }])));

      expect(error).toMatchObject({ code: 'OUT_OF_STOCK', kind: 'conflict', details: { productIds: [scarce], orderId: expect.any(String) } });
      expect(await availableOf(plenty)).toBe(5);
      expect(await availableOf(scarce)).toBe(1);
      const order = await onlyOrderOf(user);
      expect(order).toMatchObject({ id: error.details?.['orderId'], status: 'CANCELLED', cancellationReason: 'out_of_stock', paymentLast4: null });
      expect(faults.calls(paymentsContract, 'charge', (input) => input.userId === user)).toEqual([]);
      await paymentNotFound(order.id);
    });

    it('refuses an unknown product with UNKNOWN_PRODUCT and creates no order', async () => {
      const user = newUser();
      const known = await stockedProduct(5);
      const missing = randomUUID();

      const error = await failure(
        orders.placeOrder(orderInput(user, [{ productId: known, quantity: 1 }, { productId: missing, quantity: 1 }, { productId: 'not-even-a-uuid', quantity: 1 }])),
      );

      expect(error).toMatchObject({ code: 'UNKNOWN_PRODUCT', kind: 'refused' });
      expect([...(error.details?.['productIds'] as string[])].sort()).toEqual([missing, 'not-even-a-uuid'].sort());
      expect((await orders.listOrders({ userId: user, limit: 10 })).items).toEqual([]);
      expect(await orderRows(user)).toEqual([]);
      expect(await availableOf(known)).toBe(5);
      expect(faults.calls(inventoryContract, 'reserve', (input) => input.items.some((item) => item.productId === known))).toEqual([]);
    });

    it('compensates when shipping refuses: payment refunded, stock released, CANCELLED', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      faults.inject(shippingContract, 'createShipment', {
        when: (input) => input.userId === user,
        run: refuse(ParcelTooHeavy.create('the carrier refused the parcel (injected fault)', { maxWeightGrams: 30_000 })),
      });

      const error = await failure(orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }])));

      expect(error).toMatchObject({ code: 'CHECKOUT_FAILED', kind: 'conflict', details: { orderId: expect.any(String), reason: 'shipping_refused' } });
      const orderId = String(error.details?.['orderId']);
      const order = await orders.getOrder({ userId: user, orderId });
      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'shipping_refused', shipmentId: null });
      expect(await payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'REFUNDED', refundedCents: order.totalCents, attempts: 1 });
      expect(chargeCalls(orderId)).toBe(1);
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(orderId)).toBe('RELEASED');
      expect(await failure(shipping.getShipmentByOrder({ orderId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND' });
    });

    it('retries shipping while it is transiently down (first 2 calls) and still confirms', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const outage = faults.inject(shippingContract, 'createShipment', { when: (input) => input.userId === user, times: 2, run: unavailable('shipping') });

      const order = await orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));

      expect(order).toMatchObject({ status: 'CONFIRMED', shipmentId: expect.any(String) });
      expect(outage.hits).toBe(2);
      expect(faults.calls(shippingContract, 'createShipment', (input) => input.orderId === order.id)).toHaveLength(3);
      expect(chargeCalls(order.id)).toBe(1);
      expect(await payments.getPaymentByOrder({ orderId: order.id })).toMatchObject({ status: 'CAPTURED', attempts: 1 });
      expect((await shipping.getShipmentByOrder({ orderId: order.id })).id).toBe(order.shipmentId);
      expect(await availableOf(productId)).toBe(3);
    });

    // The shipment is not recorded on the order of its own (it goes with the next record), so a
    // commit that fails keeps it by recording it with the postponed step.
    it('retries a commit that failed after the shipment was made, and confirms with that shipment', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const ours = (reservationId: string) =>
        faults.calls(inventoryContract, 'reserve', (input) => input.reservationId === reservationId && input.items.some((line) => line.productId === productId)).length > 0;
      const outage = faults.inject(inventoryContract, 'commit', { when: (input) => ours(input.reservationId), times: 1, run: unavailable('inventory') });

      const order = await orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));

      expect(order).toMatchObject({ status: 'CONFIRMED', shipmentId: expect.any(String) });
      expect(outage.hits).toBe(1);
      expect((await shipping.getShipmentByOrder({ orderId: order.id })).id).toBe(order.shipmentId);
      expect(chargeCalls(order.id)).toBe(1);
      expect(await reservationStatus(order.id)).toBe('COMMITTED');
      expect(await availableOf(productId)).toBe(3);
      expect(await orderRows(user)).toEqual([expect.objectContaining({ id: order.id, status: 'CONFIRMED', saga_step: 'done', saga_attempts: 0 })]);
    });
  });

  describe('with a short checkout deadline (a second host on the same database)', () => {
    let short: HostOnDatabase;
    let shortOrders: OrdersApi;

    beforeAll(async () => {
      short = await startHostOn(running.database, shopModules(faults, processor), { ...env, CHECKOUT_DEADLINE_MS: '300', CHECKOUT_RESUME_INTERVAL_MS: '100' });
      shortOrders = short.host.api(ordersContract);
    });
    afterAll(async () => {
      await short?.stop();
    });

    it('answers PENDING when shipping is down past the deadline, and the resumer confirms once shipping is back', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const outage = faults.inject(shippingContract, 'createShipment', { when: (input) => input.userId === user, run: unavailable('shipping') });
      const input = orderInput(user, [{ productId, quantity: 2 }]);

      // Shipping never answers for this user: PENDING means the answer came at the deadline.
      const pending = await shortOrders.placeOrder(input);
      expect(pending).toMatchObject({ status: 'PENDING', shipmentId: null, paymentLast4: '4242', cancellationReason: null });
      expect(await availableOf(productId)).toBe(3); // reserved
      // The resumer tries again while shipping is down, and the order waits, still PENDING.
      await eventually(async () => (outage.hits >= 2 ? true : undefined), 30_000, 'the resumer to retry shipping');
      expect((await shortOrders.getOrder({ userId: user, orderId: pending.id })).status).toBe('PENDING');

      outage.remove();
      const confirmed = await eventually(
        async () => {
          const order = await shortOrders.getOrder({ userId: user, orderId: pending.id });
          return order.status === 'PENDING' ? undefined : order;
        },
        10_000,
        'the order leaving PENDING',
      );

      expect(confirmed).toMatchObject({ id: pending.id, status: 'CONFIRMED', shipmentId: expect.any(String) });
      expect(await payments.getPaymentByOrder({ orderId: pending.id })).toMatchObject({ status: 'CAPTURED', attempts: 1 });
      expect(chargeCalls(pending.id)).toBe(1);
      expect(await availableOf(productId)).toBe(3);
      expect(await reservationStatus(pending.id)).toBe('COMMITTED');
      // The same request again now answers with the finished order.
      expect(await shortOrders.placeOrder(input)).toMatchObject({ id: pending.id, status: 'CONFIRMED' });
    });

    // A reservation the expiry sweeper released while shipping was down makes inventory.commit
    // refuse with RESERVATION_EXPIRED (409). That is a refusal, not an outage: retrying the
    // confirm step for ever would leave the order PENDING with the card charged, so the saga
    // either compensates (refund, cancel the shipment) and ends CANCELLED, or reserves again.
    it('ends an order whose reservation expired while shipping was down, instead of retrying the confirmation for ever', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const outage = faults.inject(shippingContract, 'createShipment', { when: (input) => input.userId === user, run: unavailable('shipping') });
      const pending = await shortOrders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));
      expect(pending.status).toBe('PENDING');
      try {
        // The reservation's time runs out and the inventory's sweeper gives the stock back.
        await db.execute(sql`update inventory.reservations set expires_at = now() - interval '1 minute' where id = ${pending.id}`);
        await new InventoryService(db, new StockRepository(db)).releaseExpired();
        expect(await reservationStatus(pending.id)).toBe('RELEASED');
        outage.remove();

        const settled = await eventually(
          async () => {
            const order = await shortOrders.getOrder({ userId: user, orderId: pending.id });
            return order.status === 'PENDING' ? undefined : order;
          },
          2500,
          'the order leaving PENDING',
        );
        if (settled.status === 'CANCELLED') {
          expect(await payments.getPaymentByOrder({ orderId: pending.id })).toMatchObject({ status: 'REFUNDED' });
          expect((await shipping.getShipmentByOrder({ orderId: pending.id })).status).toBe('CANCELLED');
          expect(await availableOf(productId)).toBe(5);
        } else {
          expect(await reservationStatus(pending.id)).not.toBe('RELEASED');
          expect(await availableOf(productId)).toBe(3);
        }
      } finally {
        // Whatever happened, stop the saga so that it does not keep the other hosts busy.
        await db.execute(sql`update orders.orders set saga_step = 'done', saga_lease_until = null where id = ${pending.id} and saga_step <> 'done'`);
      }
    });
  });

  describe('idempotency', () => {
    it('returns the same order for the same key and request, and charges once', async () => {
      const user = newUser();
      const lamp = await stockedProduct(5);
      const shade = await stockedProduct(5);
      const input = orderInput(user, [{ productId: lamp, quantity: 2 }, { productId: shade, quantity: 1 }]);

      const first = await orders.placeOrder(input);
      const again = await orders.placeOrder(input);
      // The same lines listed in another order are the same request.
      const reordered = await orders.placeOrder({ ...input, items: [...input.items].reverse() });

      expect(first.status).toBe('CONFIRMED');
      expect(again).toEqual(first);
      expect(reordered).toEqual(first);
      expect(await orderRows(user)).toHaveLength(1);
      expect(chargeCalls(first.id)).toBe(1);
      expect(await availableOf(lamp)).toBe(3);
      expect(await availableOf(shade)).toBe(4);
    });

    it('returns the first order for a repeat even when pricing it again fails', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const input = orderInput(user, [{ productId, quantity: 2 }]);
      const first = await orders.placeOrder(input);

      faults.inject(shippingContract, 'quoteRates', { run: unavailable('shipping') });
      expect(await orders.placeOrder(input)).toEqual(first);
      // Without a first order under the key, the same failure is the answer.
      expect(await failure(orders.placeOrder({ ...input, idempotencyKey: randomUUID() }))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await orderRows(user)).toHaveLength(1);
      expect(chargeCalls(first.id)).toBe(1);
    });

    it('creates one order and one charge when requests with the same key race', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const input = orderInput(user, [{ productId, quantity: 2 }]);
      const chargesBefore = processor.charges.length;

      const placed = await Promise.all(Array.from({ length: 5 }, () => orders.placeOrder(input)));

      const ids = new Set(placed.map((order) => order.id));
      expect(ids.size).toBe(1);
      expect(placed.every((order) => order.status === 'CONFIRMED')).toBe(true);
      const [orderId] = [...ids] as [string];
      expect(await orderRows(user)).toEqual([expect.objectContaining({ id: orderId, status: 'CONFIRMED', saga_step: 'done' })]);
      expect(chargeCalls(orderId)).toBe(1);
      expect(processor.charges.length - chargesBefore).toBe(1);
      expect(await payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'CAPTURED', attempts: 1 });
      expect(faults.calls(shippingContract, 'createShipment', (call) => call.orderId === orderId)).toHaveLength(1);
      expect(await availableOf(productId)).toBe(3);
    });

    it('refuses the same key for a different request: IDEMPOTENCY_KEY_REUSED naming the first order', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const input = orderInput(user, [{ productId, quantity: 2 }]);
      const first = await orders.placeOrder(input);

      const moreItems = await failure(orders.placeOrder({ ...input, items: [{ productId, quantity: 3 }] }));
      const otherAddress = await failure(orders.placeOrder({ ...input, shippingAddress: { ...address, city: 'Hamburg' } }));
      const otherCard = await failure(orders.placeOrder({ ...input, payment: card('5555555555554444') }));

      for (const error of [moreItems, otherAddress, otherCard]) {
        expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'refused', details: { orderId: first.id } });
      }
      expect(await orderRows(user)).toHaveLength(1);
      expect(await availableOf(productId)).toBe(3);
      // Keys belong to a user: another user's identical key is a new order.
      const stranger = await orders.placeOrder({ ...input, userId: newUser() });
      expect(stranger.id).not.toBe(first.id);
    });

    it('answers PAYMENT_DECLINED again, for the same order, when a declined request is repeated', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const input = orderInput(user, [{ productId, quantity: 1 }], testCards.declined);

      const first = await failure(orders.placeOrder(input));
      const again = await failure(orders.placeOrder(input));

      expect(first).toMatchObject({ code: 'PAYMENT_DECLINED', details: { orderId: expect.any(String), reason: 'card_declined' } });
      expect(again).toMatchObject({ code: 'PAYMENT_DECLINED', details: { orderId: first.details?.['orderId'], reason: 'card_declined' } });
      expect(await orderRows(user)).toHaveLength(1);
      expect(chargeCalls(String(first.details?.['orderId']))).toBe(1);
      expect(await availableOf(productId)).toBe(5);
    });
  });

  describe('cancelOrder', () => {
    it('cancels a confirmed order: shipment cancelled, payment refunded, stock back; a second cancel changes nothing', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const input = orderInput(user, [{ productId, quantity: 2 }]);
      const placed = await orders.placeOrder(input);
      expect(await availableOf(productId)).toBe(3);

      const cancelled = await orders.cancelOrder({ userId: user, orderId: placed.id });

      expect(cancelled).toMatchObject({ id: placed.id, status: 'CANCELLED', cancellationReason: 'cancelled_by_customer', shipmentId: placed.shipmentId });
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(placed.id)).toBe('RELEASED');
      expect(await payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'REFUNDED', refundedCents: placed.totalCents });
      expect((await shipping.getShipmentByOrder({ orderId: placed.id })).status).toBe('CANCELLED');

      const again = await orders.cancelOrder({ userId: user, orderId: placed.id });
      expect(again).toEqual(cancelled);
      expect(await availableOf(productId)).toBe(5);
      expect(await payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'REFUNDED', refundedCents: placed.totalCents });
      expect(faults.calls(paymentsContract, 'refundOrder', (input) => input.orderId === placed.id)).toHaveLength(1);
      expect((await outboxOf(placed.id)).map((row) => [row.event_type, row.payload['reason'] ?? null])).toEqual([
        [eventType(ordersContract, 'OrderConfirmed'), null],
        [eventType(ordersContract, 'OrderCancelled'), 'cancelled_by_customer'],
      ]);
      // The same request again answers with the order as it now is, and orders nothing.
      expect(await orders.placeOrder(input)).toEqual(cancelled);
      expect(await availableOf(productId)).toBe(5);
    });

    it('refuses to cancel once the shipment is dispatched: ORDER_NOT_CANCELLABLE, nothing changed', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const placed = await orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));
      await shipping.advanceShipment({ shipmentId: placed.shipmentId! });

      const error = await failure(orders.cancelOrder({ userId: user, orderId: placed.id }));

      expect(error).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE', kind: 'conflict', details: { orderId: placed.id } });
      expect((await orders.getOrder({ userId: user, orderId: placed.id })).status).toBe('CONFIRMED');
      expect(await payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'CAPTURED', refundedCents: 0 });
      expect((await shipping.getShipmentByOrder({ orderId: placed.id })).status).toBe('DISPATCHED');
      expect(await availableOf(productId)).toBe(3);
    });

    it("answers ORDER_NOT_FOUND for another user's order, and for an id that names none", async () => {
      const owner = newUser();
      const productId = await stockedProduct(5);
      const placed = await orders.placeOrder(orderInput(owner, [{ productId, quantity: 1 }]));
      const stranger = newUser();

      expect(await failure(orders.cancelOrder({ userId: stranger, orderId: placed.id }))).toMatchObject({ code: 'ORDER_NOT_FOUND', kind: 'not-found' });
      expect(await failure(orders.getOrder({ userId: stranger, orderId: placed.id }))).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      expect(await failure(orders.getOrder({ userId: owner, orderId: randomUUID() }))).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      expect(await failure(orders.cancelOrder({ userId: owner, orderId: 'not-an-order' }))).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      expect((await orders.getOrder({ userId: owner, orderId: placed.id })).status).toBe('CONFIRMED');
      expect(await payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'CAPTURED' });
    });
  });

  describe('after the process running a checkout died', () => {
    /**
     * Host A places an order whose charge call stops at `gate` (before or after the card is
     * charged); then A is stopped and the saga's lease lapses, as when A is killed. Host B then
     * starts on the same database, without the card, and its resumer takes the saga over.
     */
    const interruptedCheckout = async (when: 'before-charge' | 'after-charge') => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const gate = new Gate();
      const faultsA = new FaultInjector();
      faultsA.inject(paymentsContract, 'charge', {
        when: (input) => input.userId === user,
        run: async (_input, proceed) => {
          if (when === 'before-charge') {
            await gate.pass();
            return proceed();
          }
          const charged = await proceed();
          await gate.pass();
          return charged;
        },
      });
      const a = await startHostOn(running.database, shopModules(faultsA, processor), { ...env, CHECKOUT_DEADLINE_MS: '500', CHECKOUT_RESUME_INTERVAL_MS: '60000' });
      const chargesBefore = processor.charges.length;
      // Never awaited before the end: the call is stuck in the process that "died".
      const stuck = a.host
        .api(ordersContract)
        .placeOrder(orderInput(user, [{ productId, quantity: 2 }]))
        .then(
          (order) => order,
          (error: unknown) => error,
        );
      await gate.reached;
      const [row] = await orderRows(user);
      // The reservation is not recorded on the order of its own (steps.ts, recordBeforeNext):
      // the order still stands at 'reserve', so B reserves again and gets the same reservation.
      expect(row).toMatchObject({ status: 'PENDING', saga_step: 'reserve' });
      const orderId = row!.id;
      expect(await availableOf(productId)).toBe(3);
      await a.stop();
      await db.execute(sql`update orders.orders set saga_lease_until = now() - interval '1 second' where id = ${orderId}`);

      const b = await startHostOn(running.database, shopModules(new FaultInjector(), processor), { ...env, CHECKOUT_RESUME_INTERVAL_MS: '100' });
      const settled = await eventually(
        async () => {
          const order = await orders.getOrder({ userId: user, orderId });
          return order.status === 'PENDING' ? undefined : order;
        },
        10_000,
        'the resumed order leaving PENDING',
      ).finally(() => b.stop());
      return { user, productId, orderId, settled, gate, stuck, chargesBefore };
    };

    it('carries on a checkout whose card was charged: CONFIRMED with exactly one charge', async () => {
      const { productId, orderId, settled, gate, stuck, chargesBefore } = await interruptedCheckout('after-charge');
      try {
        expect(settled).toMatchObject({ status: 'CONFIRMED', paymentLast4: '4242', shipmentId: expect.any(String) });
        expect(await payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'CAPTURED', attempts: 1, amountCents: settled.totalCents });
        expect(processor.charges.length - chargesBefore).toBe(1);
        expect((await shipping.getShipmentByOrder({ orderId })).id).toBe(settled.shipmentId);
        expect(await availableOf(productId)).toBe(3);
        expect(await reservationStatus(orderId)).toBe('COMMITTED');
        expect((await outboxOf(orderId)).map((event) => event.event_type)).toEqual([eventType(ordersContract, 'OrderConfirmed')]);
      } finally {
        gate.fail(new Error('the process that held this call is gone'));
        await stuck;
      }
    });

    it("cancels a checkout whose card was never charged: CANCELLED 'checkout_interrupted', stock released", async () => {
      const { productId, orderId, settled, gate, stuck, chargesBefore } = await interruptedCheckout('before-charge');
      try {
        expect(settled).toMatchObject({ status: 'CANCELLED', cancellationReason: 'checkout_interrupted', paymentLast4: null, shipmentId: null });
        await paymentNotFound(orderId);
        expect(processor.charges.length).toBe(chargesBefore);
        expect(await availableOf(productId)).toBe(5);
        expect(await reservationStatus(orderId)).toBe('RELEASED');
        expect((await outboxOf(orderId)).map((event) => [event.event_type, event.payload['reason']])).toEqual([
          [eventType(ordersContract, 'OrderCancelled'), 'checkout_interrupted'],
        ]);
      } finally {
        gate.fail(new Error('the process that held this call is gone'));
        await stuck;
      }
    });

    // A runner whose lease lapsed must be fenced off: were it not, its charge, going through
    // after another runner cancelled the order, would capture the card, write its step over
    // the cancelled order, create a shipment and retry 'confirm' for ever, and the customer
    // would pay for a cancelled order. A lease names its runner, so a runner that lost it records nothing.
    it('does not let a runner that lost its lease charge for an order another runner cancelled', async () => {
      const { orderId, settled, gate, stuck } = await interruptedCheckout('before-charge');
      try {
        expect(settled).toMatchObject({ status: 'CANCELLED', cancellationReason: 'checkout_interrupted' });
        gate.open(); // the stalled runner wakes up and charges
        await stuck;
        const payment = await payments.getPaymentByOrder({ orderId }).catch(() => undefined);
        expect(payment?.status === 'CAPTURED').toBe(false);
        expect(await orderRows(settled.userId)).toEqual([expect.objectContaining({ status: 'CANCELLED', saga_step: 'done' })]);
        expect(await shipping.getShipmentByOrder({ orderId }).then((shipment) => shipment.status, () => 'NONE')).not.toBe('CREATED');
      } finally {
        gate.open();
        await stuck;
        await db.execute(sql`update orders.orders set saga_step = 'done', saga_lease_until = null where id = ${orderId} and saga_step <> 'done'`);
      }
    });
  });

  describe('with two replicas of the orders module', () => {
    // The card lives only in the memory of the replica that took the order, so after a
    // transient charge failure that replica keeps the saga: a replica without the card would
    // otherwise cancel the order as 'checkout_interrupted' although the card holder is alive
    // and the retry would succeed. Here replica 1 answers PENDING at once
    // (CHECKOUT_DEADLINE_MS=0) and its resumer looks every second, replica 2's every 100 ms, so
    // replica 2 takes the retry; with equal intervals it is a race either may win.
    it('retries a transiently failed charge with the card, whichever replica resumes the saga', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const faultsR = new FaultInjector();
      faultsR.inject(paymentsContract, 'charge', { when: (input) => input.userId === user, times: 1, run: unavailable('payments') });
      const replica1 = await startHostOn(running.database, shopModules(faultsR, processor), { ...env, CHECKOUT_DEADLINE_MS: '0', CHECKOUT_RESUME_INTERVAL_MS: '1000' });
      let replica2: HostOnDatabase | undefined;
      try {
        const pending = await replica1.host.api(ordersContract).placeOrder(orderInput(user, [{ productId, quantity: 2 }]));
        expect(pending.status).toBe('PENDING');
        replica2 = await startHostOn(running.database, shopModules(faultsR, processor), { ...env, CHECKOUT_RESUME_INTERVAL_MS: '100' });
        const settled = await eventually(
          async () => {
            const order = await orders.getOrder({ userId: user, orderId: pending.id });
            return order.status === 'PENDING' ? undefined : order;
          },
          5000,
          'the order leaving PENDING',
        );
        expect(settled).toMatchObject({ status: 'CONFIRMED', cancellationReason: null });
      } finally {
        await replica2?.stop();
        await replica1.stop();
      }
    });
  });
});
