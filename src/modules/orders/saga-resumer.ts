/**
 * @module Finds unfinished checkouts (a crash, a restart, a step postponed after a failure)
 * and runs them on, so no accepted order is left half-done.
 */
import type { Logger } from '../../kernel/logger.js';
import type { CheckoutSaga } from './checkout-saga.js';
import type { OrderRepository } from './order.repository.js';

export const startSagaResumer = (saga: CheckoutSaga, orders: OrderRepository, logger: Logger, intervalMs: number): (() => Promise<void>) => {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const resumeDue = async (): Promise<void> => {
    try {
      for (const orderId of await orders.dueSagas(20, saga.runner)) {
        if (stopped) return;
        await saga.run(orderId);
      }
    } catch (error) {
      logger.warn({ err: error }, 'resuming checkouts failed; will try again');
    }
  };
  const tick = (): void => {
    running = running.then(resumeDue);
  };
  tick(); // at start: whatever a previous process left unfinished
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
};
