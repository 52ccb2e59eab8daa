/**
 * @module Requests waiting for an order's checkout, each for at most its own deadline. The
 * driver of this process settles them when it ends (or fails to record) that order's checkout;
 * a waiter nobody settles in time gets `undefined` and reads the order as it stands.
 */
import type { OrderRow } from '../order.repository.js';

export interface CheckoutWaiters {
  /**
   * Resolves with the order once this process ends its checkout, or with undefined after
   * `ms`; rejects with the failure that kept this process from recording its progress.
   */
  wait(orderId: string, ms: number): Promise<OrderRow | undefined>;
  /** The checkout of `order` has ended here: every waiter gets it. */
  settle(order: OrderRow): void;
  /** This process could not record the checkout of `orderId`: every waiter gets `error`. */
  fail(orderId: string, error: unknown): void;
}

interface Waiter {
  readonly resolve: (order: OrderRow | undefined) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

export const checkoutWaiters = (): CheckoutWaiters => {
  const waiting = new Map<string, Set<Waiter>>();

  /** Takes the waiters of `orderId` off the list, their timers stopped: each is answered once. */
  const takeAll = (orderId: string): Waiter[] => {
    const waiters = waiting.get(orderId);
    if (!waiters) return [];
    waiting.delete(orderId);
    for (const waiter of waiters) clearTimeout(waiter.timer);
    return [...waiters];
  };

  return {
    wait: (orderId, ms) => {
      if (ms <= 0) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        // A plain timer, cleared when the order ends first, so none outlives a quick checkout.
        const timer = setTimeout(() => {
          const waiters = waiting.get(orderId);
          waiters?.delete(waiter);
          if (waiters?.size === 0) waiting.delete(orderId);
          resolve(undefined);
        }, ms);
        const waiter: Waiter = { resolve, reject, timer };
        const waiters = waiting.get(orderId) ?? new Set<Waiter>();
        waiters.add(waiter);
        waiting.set(orderId, waiters);
      });
    },
    settle: (order) => {
      for (const waiter of takeAll(order.id)) waiter.resolve(order);
    },
    fail: (orderId, error) => {
      for (const waiter of takeAll(orderId)) waiter.reject(error);
    },
  };
};
