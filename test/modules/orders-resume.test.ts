/**
 * Checkouts the orders module finishes in the background, in the shop of orders-shop.ts on
 * embedded PGlite and on a real PostgreSQL server: answering PENDING at the deadline and
 * settling the order later, taking over a checkout whose process died, and retrying with the
 * card whichever replica resumes. A "restart" is a second ModuleHost on the same database:
 * fresh module instances, so no card held in memory.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventType } from '../../src/kernel/events.js';
import { InventoryService } from '../../src/modules/inventory/inventory.service.js';
import { StockRepository } from '../../src/modules/inventory/stock.repository.js';
import { ordersContract, type OrdersApi } from '../../src/modules/orders/contract.js';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { shippingContract } from '../../src/modules/shipping/contract.js';
import { databaseBackends } from '../support/database-backends.js';
import { FaultInjector, Gate, unavailable } from '../support/fault-injection.js';
import { startHostOn, type HostOnDatabase } from '../support/host-on-database.js';
import { checkoutShopOn, eventually, newUser, orderInput, settledOrder, shopModules } from './orders-shop.js';

describe.each(databaseBackends)('orders on $name', (backend) => {
  const shop = checkoutShopOn(backend);
  const { faults, processor, stockedProduct, availableOf, reservationStatus, outboxOf, orderRows, chargeCalls, paymentNotFound } = shop;

  describe('with a short checkout deadline (a second host on the same database)', () => {
    let short: HostOnDatabase;
    let shortOrders: OrdersApi;

    beforeAll(async () => {
      short = await startHostOn(shop.running.database, shopModules(faults, processor), { ...shop.env, CHECKOUT_DEADLINE_MS: '300', CHECKOUT_RESUME_INTERVAL_MS: '100' });
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
      const confirmed = await settledOrder(shortOrders, user, pending.id, 10_000, 'the order leaving PENDING');

      expect(confirmed).toMatchObject({ id: pending.id, status: 'CONFIRMED', shipmentId: expect.any(String) });
      expect(await shop.payments.getPaymentByOrder({ orderId: pending.id })).toMatchObject({ status: 'CAPTURED', attempts: 1 });
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
        await shop.db.execute(sql`update inventory.reservations set expires_at = now() - interval '1 minute' where id = ${pending.id}`);
        await new InventoryService(shop.db, new StockRepository(shop.db)).releaseExpired();
        expect(await reservationStatus(pending.id)).toBe('RELEASED');
        outage.remove();

        const settled = await settledOrder(shortOrders, user, pending.id, 2500, 'the order leaving PENDING');
        if (settled.status === 'CANCELLED') {
          expect(await shop.payments.getPaymentByOrder({ orderId: pending.id })).toMatchObject({ status: 'REFUNDED' });
          expect((await shop.shipping.getShipmentByOrder({ orderId: pending.id })).status).toBe('CANCELLED');
          expect(await availableOf(productId)).toBe(5);
        } else {
          expect(await reservationStatus(pending.id)).not.toBe('RELEASED');
          expect(await availableOf(productId)).toBe(3);
        }
      } finally {
        // Whatever happened, stop the saga so that it does not keep the other hosts busy.
        await shop.db.execute(sql`update orders.orders set saga_step = 'done', saga_lease_until = null where id = ${pending.id} and saga_step <> 'done'`);
      }
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
      const a = await startHostOn(shop.running.database, shopModules(faultsA, processor), { ...shop.env, CHECKOUT_DEADLINE_MS: '500', CHECKOUT_RESUME_INTERVAL_MS: '60000' });
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
      await shop.db.execute(sql`update orders.orders set saga_lease_until = now() - interval '1 second' where id = ${orderId}`);

      const b = await startHostOn(shop.running.database, shopModules(new FaultInjector(), processor), { ...shop.env, CHECKOUT_RESUME_INTERVAL_MS: '100' });
      const settled = await settledOrder(shop.orders, user, orderId, 10_000, 'the resumed order leaving PENDING').finally(() => b.stop());
      return { user, productId, orderId, settled, gate, stuck, chargesBefore };
    };

    it('carries on a checkout whose card was charged: CONFIRMED with exactly one charge', async () => {
      const { productId, orderId, settled, gate, stuck, chargesBefore } = await interruptedCheckout('after-charge');
      try {
        expect(settled).toMatchObject({ status: 'CONFIRMED', paymentLast4: '4242', shipmentId: expect.any(String) });
        expect(await shop.payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'CAPTURED', attempts: 1, amountCents: settled.totalCents });
        expect(processor.charges.length - chargesBefore).toBe(1);
        expect((await shop.shipping.getShipmentByOrder({ orderId })).id).toBe(settled.shipmentId);
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
        const payment = await shop.payments.getPaymentByOrder({ orderId }).catch(() => undefined);
        expect(payment?.status === 'CAPTURED').toBe(false);
        expect(await orderRows(settled.userId)).toEqual([expect.objectContaining({ status: 'CANCELLED', saga_step: 'done' })]);
        expect(await shop.shipping.getShipmentByOrder({ orderId }).then((shipment) => shipment.status, () => 'NONE')).not.toBe('CREATED');
      } finally {
        gate.open();
        await stuck;
        await shop.db.execute(sql`update orders.orders set saga_step = 'done', saga_lease_until = null where id = ${orderId} and saga_step <> 'done'`);
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
      const replica1 = await startHostOn(shop.running.database, shopModules(faultsR, processor), { ...shop.env, CHECKOUT_DEADLINE_MS: '0', CHECKOUT_RESUME_INTERVAL_MS: '1000' });
      let replica2: HostOnDatabase | undefined;
      try {
        const pending = await replica1.host.api(ordersContract).placeOrder(orderInput(user, [{ productId, quantity: 2 }]));
        expect(pending.status).toBe('PENDING');
        replica2 = await startHostOn(shop.running.database, shopModules(faultsR, processor), { ...shop.env, CHECKOUT_RESUME_INTERVAL_MS: '100' });
        const settled = await settledOrder(shop.orders, user, pending.id, 5000, 'the order leaving PENDING');
        expect(settled).toMatchObject({ status: 'CONFIRMED', cancellationReason: null });
      } finally {
        await replica2?.stop();
        await replica1.stop();
      }
    });
  });
});
