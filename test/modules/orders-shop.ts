/**
 * @module The shop the orders tests check out in: the real catalog, inventory, payments,
 * shipping and notifications modules with the orders module in one ModuleHost, seeded, on one
 * of the database backends; the orders module's calls to its dependencies go through a
 * FaultInjector (../support/fault-injection.ts) so that a test can make them fail for its own
 * user. Also the inputs those tests place orders with, and the reads their assertions make.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterEach, expect } from 'vitest';
import type { AnyContract, ContractApi, MethodInput } from '../../src/kernel/contract.js';
import { selectRows, type Database } from '../../src/kernel/database.js';
import { defineModule, type AnyModule } from '../../src/kernel/module.js';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { catalogModule } from '../../src/modules/catalog/module.js';
import { inventoryContract } from '../../src/modules/inventory/contract.js';
import { inventoryModule } from '../../src/modules/inventory/module.js';
import { notificationsModule } from '../../src/modules/notifications/module.js';
import { ordersContract, type Order, type OrdersApi } from '../../src/modules/orders/contract.js';
import { ordersModule } from '../../src/modules/orders/module.js';
import { paymentsContract, type PaymentsApi } from '../../src/modules/payments/contract.js';
import { createPaymentsModule } from '../../src/modules/payments/module.js';
import { SimulatedCardProcessor, testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { shippingContract, type ShippingApi } from '../../src/modules/shipping/contract.js';
import { shippingModule } from '../../src/modules/shipping/module.js';
import type { DatabaseBackend } from '../support/database-backends.js';
import { failure } from '../support/failure.js';
import { FaultInjector } from '../support/fault-injection.js';
import { hostPerSuite } from '../support/host-per-suite.js';
import type { TestHost } from '../support/test-host.js';

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
export const shopModules = (faults: FaultInjector, processor: SimulatedCardProcessor): AnyModule[] => [
  catalogModule,
  inventoryModule,
  createPaymentsModule({ processor }),
  shippingModule,
  ordersWith(faults),
  notificationsModule,
];

export const address = { name: 'Ada Lovelace', line1: '12 Analytical Street', city: 'Berlin', postalCode: '10115', country: 'DE' };

export const card = (cardNumber: string = testCards.success) => ({ cardNumber, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' });

export const newUser = (): string => `user-${randomUUID()}`;

export const orderInput = (userId: string, items: PlaceOrderInput['items'], cardNumber: string = testCards.success, idempotencyKey: string = randomUUID()): PlaceOrderInput => ({
  userId,
  idempotencyKey,
  items,
  shippingAddress: address,
  payment: card(cardNumber),
});

/** Polls `probe` until it returns a value, for work that finishes in the background. */
export const eventually = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(50);
  }
};

/** Order `orderId` of `userId` as `api` reads it once it has left PENDING, for sagas that finish in the background. */
export const settledOrder = (api: OrdersApi, userId: string, orderId: string, timeoutMs: number, what: string): Promise<Order> =>
  eventually(
    async () => {
      const order = await api.getOrder({ userId, orderId });
      return order.status === 'PENDING' ? undefined : order;
    },
    timeoutMs,
    what,
  );

/** The shop of one test file on one backend, and what its tests read back; the APIs answer inside tests. */
export interface CheckoutShop {
  /** Lets the orders module's calls to inventory, payments and shipping through; cleared after each test. */
  readonly faults: FaultInjector;
  readonly processor: SimulatedCardProcessor;
  readonly running: TestHost;
  /** The environment that points a host at this backend, for further hosts on the same database. */
  readonly env: Record<string, string>;
  readonly db: Database;
  readonly orders: OrdersApi;
  readonly payments: PaymentsApi;
  readonly shipping: ShippingApi;
  /** A fresh product (25.00 EUR, 800 g) with `available` units, so tests share no stock. */
  stockedProduct(available: number): Promise<string>;
  availableOf(productId: string): Promise<number>;
  standardShippingCents(weightGrams: number): Promise<number>;
  reservationStatus(orderId: string): Promise<string | undefined>;
  outboxOf(orderId: string): Promise<{ event_type: string; subscriber: string; payload: Record<string, unknown> }[]>;
  orderRows(userId: string): Promise<{ id: string; status: string; saga_step: string; saga_attempts: number }[]>;
  chargeCalls(orderId: string): number;
  /** The one order `userId` has: the orders that fail placeOrder still exist, named in the error. */
  onlyOrderOf(userId: string): Promise<Order>;
  paymentNotFound(orderId: string): Promise<void>;
}

/** Registers the hooks that start the shop on `backend` before the enclosing suite's tests and stop it after them. */
export const checkoutShopOn = (backend: DatabaseBackend): CheckoutShop => {
  const faults = new FaultInjector();
  const processor = new SimulatedCardProcessor();
  let categorySlug: string;
  const suite = hostPerSuite(backend, () => shopModules(faults, processor), {
    // This host's resumer stays out of the way (60 s): sagas here are driven by placeOrder and
    // cancelOrder, and it must not take over checkouts of the other hosts some tests start.
    env: { CHECKOUT_DEADLINE_MS: '5000', CHECKOUT_RESUME_INTERVAL_MS: '60000' },
    ready: async (running) => {
      await running.host.seed({ onlyIfEmpty: true });
      categorySlug = (await running.host.api(catalogContract).listCategories({})).items[0]!.slug;
    },
  });
  afterEach(() => faults.clear());
  const api = <C extends AnyContract>(contract: C): ContractApi<C> => suite.running.host.api(contract);

  return {
    faults,
    processor,
    get running() {
      return suite.running;
    },
    get env() {
      return suite.env;
    },
    get db() {
      return suite.running.database.db;
    },
    get orders() {
      return api(ordersContract);
    },
    get payments() {
      return api(paymentsContract);
    },
    get shipping() {
      return api(shippingContract);
    },
    async stockedProduct(available) {
      const product = await api(catalogContract).createProduct({
        sku: `T-${randomUUID().slice(0, 8).toUpperCase()}`,
        name: 'Test Lamp',
        description: 'A lamp for order tests',
        priceCents: 2500,
        currency: 'EUR',
        categorySlug,
        weightGrams: 800,
      });
      await api(inventoryContract).setStock({ productId: product.id, available });
      return product.id;
    },
    availableOf: async (productId) => (await api(inventoryContract).getStock({ productIds: [productId] })).items[0]!.available,
    standardShippingCents: async (weightGrams) =>
      (await api(shippingContract).quoteRates({ country: address.country, weightGrams })).rates.find((rate) => rate.service === 'standard')!.priceCents,
    reservationStatus: async (orderId) =>
      (await selectRows<{ status: string }>(suite.running.database.db, sql`select status from inventory.reservations where id = ${orderId}`))[0]?.status,
    outboxOf: (orderId) =>
      selectRows(suite.running.database.db, sql`select event_type, subscriber, payload from orders.outbox where payload->>'orderId' = ${orderId} order by occurred_at`),
    orderRows: (userId) =>
      selectRows(suite.running.database.db, sql`select id, status, saga_step, saga_attempts from orders.orders where user_id = ${userId} order by created_at`),
    chargeCalls: (orderId) => faults.calls(paymentsContract, 'charge', (input) => input.orderId === orderId).length,
    async onlyOrderOf(userId) {
      const { items } = await api(ordersContract).listOrders({ userId, limit: 10 });
      expect(items).toHaveLength(1);
      return items[0]!;
    },
    async paymentNotFound(orderId) {
      expect(await failure(api(paymentsContract).getPaymentByOrder({ orderId }))).toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
    },
  };
};
