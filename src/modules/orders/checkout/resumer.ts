/**
 * @module The resumer: every so often, finds unfinished checkouts that are due and that this
 * process may take (a crash, a restart, a step postponed by a process that let its lease go)
 * and runs them on, so no accepted order is left half-done.
 */
import type { Logger } from '../../../kernel/logger.js';
import type { OrderRepository } from '../order.repository.js';
import type { CheckoutDriver } from './driver.js';
import type { Lease } from './lease.js';

/** How many due checkouts one look takes on; the rest wait for the next look. */
const batchSize = 20;

/** Starts looking every `intervalMs` (and at once); resolves the returned stop once the current look is over. */
export const startCheckoutResumer = (driver: CheckoutDriver, orders: OrderRepository, lease: Lease, logger: Logger, intervalMs: number): (() => Promise<void>) => {
  let stopped = false;
  let looking: Promise<void> = Promise.resolve();
  const resumeDue = async (): Promise<void> => {
    try {
      for (const orderId of await orders.dueCheckouts(batchSize, lease.owner)) {
        if (stopped) return;
        await driver.run(orderId);
      }
    } catch (error) {
      logger.warn({ err: error }, 'looking for checkouts to resume failed; will look again');
    }
  };
  const look = (): void => {
    looking = looking.then(resumeDue);
  };
  look(); // at start: whatever a previous process left unfinished
  const timer = setInterval(look, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await looking;
  };
};
