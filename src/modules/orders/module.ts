/**
 * @module Wires the orders module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.js';
import { catalogContract } from '../catalog/contract.js';
import { inventoryContract } from '../inventory/contract.js';
import { paymentsContract } from '../payments/contract.js';
import { shippingContract } from '../shipping/contract.js';
import { cardCustody } from './checkout/card-custody.js';
import { createCheckout } from './checkout/checkout.js';
import { checkoutDriver } from './checkout/driver.js';
import { newLease } from './checkout/lease.js';
import { startCheckoutResumer } from './checkout/resumer.js';
import { checkoutWaiters } from './checkout/waiters.js';
import { ordersContract } from './contract.js';
import { OrderRepository } from './order.repository.js';
import { OrdersService } from './orders.service.js';
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
    const lease = newLease(settings.CHECKOUT_LEASE_SECONDS);
    const cards = cardCustody();
    const waiters = checkoutWaiters();
    const driver = checkoutDriver(
      { db, orders, deps, events, logger, lease, cards, waiters },
      {
        reservationTtlSeconds: 15 * 60,
        maxChargeAttempts: 3,
        // Exponential from 100 ms, capped at 30 s: a dependency that is down is retried, not hammered.
        retryDelayMs: (attempt) => Math.min(30_000, 100 * 2 ** (attempt - 1)),
      },
    );
    onStop(startCheckoutResumer(driver, orders, lease, logger, settings.CHECKOUT_RESUME_INTERVAL_MS));
    onStop(() => driver.stop());
    const checkout = createCheckout({ orders, driver, waiters, cards, lease, deadlineMs: settings.CHECKOUT_DEADLINE_MS });
    return new OrdersService(orders, checkout, deps);
  },
});
