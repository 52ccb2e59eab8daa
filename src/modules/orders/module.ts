/**
 * @module Wires the orders module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.js';
import { catalogContract } from '../catalog/contract.js';
import { inventoryContract } from '../inventory/contract.js';
import { paymentsContract } from '../payments/contract.js';
import { shippingContract } from '../shipping/contract.js';
import { CheckoutSaga } from './checkout-saga.js';
import { ordersContract } from './contract.js';
import { OrderRepository } from './order.repository.js';
import { OrdersService } from './orders.service.js';
import { startSagaResumer } from './saga-resumer.js';
import { checkoutSettings } from './settings.js';

export const ordersModule = defineModule({
  name: 'orders',
  provides: ordersContract,
  requires: { catalog: catalogContract, inventory: inventoryContract, payments: paymentsContract, shipping: shippingContract },
  schema: 'orders',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  settings: checkoutSettings,
  create: ({ db, deps, events, logger, settings, onStop }) => {
    const orders = new OrderRepository(db);
    const saga = new CheckoutSaga(db, orders, deps, events, logger, {
      reservationTtlSeconds: 15 * 60,
      leaseSeconds: settings.CHECKOUT_LEASE_SECONDS,
      maxChargeAttempts: 3,
      // Exponential from 100 ms, capped at 30 s: a dependency that is down is retried, not hammered.
      retryDelayMs: (attempt) => Math.min(30_000, 100 * 2 ** (attempt - 1)),
    });
    onStop(startSagaResumer(saga, orders, logger, settings.CHECKOUT_RESUME_INTERVAL_MS));
    return new OrdersService(orders, saga, deps, settings.CHECKOUT_DEADLINE_MS);
  },
});
