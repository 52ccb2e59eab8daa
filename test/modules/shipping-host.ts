/**
 * @module The shipping tests' host: the shipping module, with notifications subscribed to its
 * events (without a subscriber no outbox row is written), in a ModuleHost on one of the
 * database backends for a suite; and the orders those tests ship and the failures they read.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/kernel/database.js';
import { notificationsModule } from '../../src/modules/notifications/module.js';
import { shippingContract, type ShippingApi } from '../../src/modules/shipping/contract.js';
import { shippingModule } from '../../src/modules/shipping/module.js';
import type { DatabaseBackend } from '../support/database-backends.js';
import { hostPerSuite } from '../support/host-per-suite.js';

export const address = { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };

export const newOrder = (overrides: Partial<Parameters<ShippingApi['createShipment']>[0]> = {}) => ({
  orderId: `order-${randomUUID()}`,
  userId: `user-${randomUUID()}`,
  address,
  weightGrams: 1200,
  service: 'standard' as const,
  ...overrides,
});

/** The rejection of `promise`, to assert on its code, status and details. */
export const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

export interface ShippingHost {
  /** The shipping module's API, inside tests. */
  readonly shipping: ShippingApi;
  /** The host's database, inside tests. */
  readonly db: Database;
}

/** Registers the hooks that start the host on `backend` before the enclosing suite's tests and stop it after them. */
export const shippingHostOn = (backend: DatabaseBackend): ShippingHost => {
  const suite = hostPerSuite(backend, () => [shippingModule, notificationsModule], {
    relay: { pollIntervalMs: 60_000 },
    // The outbox rows are what these tests inspect; no background delivery moves them meanwhile.
    ready: (running) => running.host.relay.stop(),
  });
  return {
    get shipping() {
      return suite.running.host.api(shippingContract);
    },
    get db() {
      return suite.running.database.db;
    },
  };
};
