/**
 * Waiting for an order's checkout: a waiter gets the order when this process ends its
 * checkout, the failure when it could not record it, and nothing once its time is up.
 */
import { describe, expect, it } from 'vitest';
import type { OrderRow } from '../order.repository.js';
import { pendingOrder } from './fake-dependencies.test-support.js';
import { checkoutWaiters } from './waiters.js';

const longEnough = 60_000;

describe('checkout waiters', () => {
  it('gives every waiter of an order the order once its checkout ends, and no other order', async () => {
    const waiters = checkoutWaiters();
    const order: OrderRow = { ...pendingOrder('lamp'), status: 'CONFIRMED', sagaStep: 'done' };
    const other = pendingOrder('lamp');
    const first = waiters.wait(order.id, longEnough);
    const second = waiters.wait(order.id, longEnough);
    const unrelated = waiters.wait(other.id, 1);

    waiters.settle(order);

    expect(await first).toBe(order);
    expect(await second).toBe(order);
    expect(await unrelated).toBeUndefined();
  });

  it("passes on the failure that kept the driver from recording the order's checkout", async () => {
    const waiters = checkoutWaiters();
    const waiting = waiters.wait('order-1', longEnough);

    waiters.fail('order-1', new Error('the database went away'));

    await expect(waiting).rejects.toThrow('the database went away');
  });

  it('answers undefined once the time is up, and at once for no time at all', async () => {
    const waiters = checkoutWaiters();

    expect(await waiters.wait('order-1', 1)).toBeUndefined();
    expect(await waiters.wait('order-1', 0)).toBeUndefined();
  });

  it('answers each waiter once: an order that ends after its waiter gave up reaches nobody', async () => {
    const waiters = checkoutWaiters();
    const order = pendingOrder('lamp');
    const gaveUp = await waiters.wait(order.id, 1);

    waiters.settle(order);
    const later = waiters.wait(order.id, 1);

    expect(gaveUp).toBeUndefined();
    expect(await later).toBeUndefined();
  });
});
