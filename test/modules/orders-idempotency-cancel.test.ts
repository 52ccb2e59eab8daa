/**
 * Repeated and cancelled orders, in the shop of orders-shop.ts on embedded PGlite and on a
 * real PostgreSQL server: one idempotency key gives one order and one charge, also under
 * races, and refuses a different request; a customer's cancel refunds and restocks once.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventType } from '../../src/kernel/events.js';
import { ordersContract } from '../../src/modules/orders/contract.js';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { shippingContract } from '../../src/modules/shipping/contract.js';
import { databaseBackends } from '../support/database-backends.js';
import { failure } from '../support/failure.js';
import { unavailable } from '../support/fault-injection.js';
import { address, card, checkoutShopOn, newUser, orderInput } from './orders-shop.js';

describe.each(databaseBackends)('orders on $name', (backend) => {
  const shop = checkoutShopOn(backend);
  const { faults, processor, stockedProduct, availableOf, reservationStatus, outboxOf, orderRows, chargeCalls } = shop;

  /** A new customer's order for 2 of a product stocked with 5: the customer, the product, the request, the order. */
  const placedOrder = async () => {
    const user = newUser();
    const productId = await stockedProduct(5);
    const input = orderInput(user, [{ productId, quantity: 2 }]);
    return { user, productId, input, first: await shop.orders.placeOrder(input) };
  };

  describe('idempotency', () => {
    it('returns the same order for the same key and request, and charges once', async () => {
      const user = newUser();
      const lamp = await stockedProduct(5);
      const shade = await stockedProduct(5);
      const input = orderInput(user, [{ productId: lamp, quantity: 2 }, { productId: shade, quantity: 1 }]);

      const first = await shop.orders.placeOrder(input);
      const again = await shop.orders.placeOrder(input);
      // The same lines listed in another order are the same request.
      const reordered = await shop.orders.placeOrder({ ...input, items: [...input.items].reverse() });

      expect(first.status).toBe('CONFIRMED');
      expect(again).toEqual(first);
      expect(reordered).toEqual(first);
      expect(await orderRows(user)).toHaveLength(1);
      expect(chargeCalls(first.id)).toBe(1);
      expect(await availableOf(lamp)).toBe(3);
      expect(await availableOf(shade)).toBe(4);
    });

    it('returns the first order for a repeat even when pricing it again fails', async () => {
      const { user, input, first } = await placedOrder();

      faults.inject(shippingContract, 'quoteRates', { run: unavailable('shipping') });
      expect(await shop.orders.placeOrder(input)).toEqual(first);
      // Without a first order under the key, the same failure is the answer.
      expect(await failure(shop.orders.placeOrder({ ...input, idempotencyKey: randomUUID() }))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await orderRows(user)).toHaveLength(1);
      expect(chargeCalls(first.id)).toBe(1);
    });

    it('creates one order and one charge when requests with the same key race', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const input = orderInput(user, [{ productId, quantity: 2 }]);
      const chargesBefore = processor.charges.length;

      const placed = await Promise.all(Array.from({ length: 5 }, () => shop.orders.placeOrder(input)));

      const ids = new Set(placed.map((order) => order.id));
      expect(ids.size).toBe(1);
      expect(placed.every((order) => order.status === 'CONFIRMED')).toBe(true);
      const [orderId] = [...ids] as [string];
      expect(await orderRows(user)).toEqual([expect.objectContaining({ id: orderId, status: 'CONFIRMED', saga_step: 'done' })]);
      expect(chargeCalls(orderId)).toBe(1);
      expect(processor.charges.length - chargesBefore).toBe(1);
      expect(await shop.payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'CAPTURED', attempts: 1 });
      expect(faults.calls(shippingContract, 'createShipment', (call) => call.orderId === orderId)).toHaveLength(1);
      expect(await availableOf(productId)).toBe(3);
    });

    it('refuses the same key for a different request: IDEMPOTENCY_KEY_REUSED naming the first order', async () => {
      const { user, productId, input, first } = await placedOrder();

      const moreItems = await failure(shop.orders.placeOrder({ ...input, items: [{ productId, quantity: 3 }] }));
      const otherAddress = await failure(shop.orders.placeOrder({ ...input, shippingAddress: { ...address, city: 'Hamburg' } }));
      const otherCard = await failure(shop.orders.placeOrder({ ...input, payment: card('5555555555554444') }));

      for (const error of [moreItems, otherAddress, otherCard]) {
        expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'refused', details: { orderId: first.id } });
      }
      expect(await orderRows(user)).toHaveLength(1);
      expect(await availableOf(productId)).toBe(3);
      // Keys belong to a user: another user's identical key is a new order.
      const stranger = await shop.orders.placeOrder({ ...input, userId: newUser() });
      expect(stranger.id).not.toBe(first.id);
    });

    it('answers PAYMENT_DECLINED again, for the same order, when a declined request is repeated', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const input = orderInput(user, [{ productId, quantity: 1 }], testCards.declined);

      const first = await failure(shop.orders.placeOrder(input));
      const again = await failure(shop.orders.placeOrder(input));

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
      const placed = await shop.orders.placeOrder(input);
      expect(await availableOf(productId)).toBe(3);

      const cancelled = await shop.orders.cancelOrder({ userId: user, orderId: placed.id });

      expect(cancelled).toMatchObject({ id: placed.id, status: 'CANCELLED', cancellationReason: 'cancelled_by_customer', shipmentId: placed.shipmentId });
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(placed.id)).toBe('RELEASED');
      expect(await shop.payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'REFUNDED', refundedCents: placed.totalCents });
      expect((await shop.shipping.getShipmentByOrder({ orderId: placed.id })).status).toBe('CANCELLED');

      const again = await shop.orders.cancelOrder({ userId: user, orderId: placed.id });
      expect(again).toEqual(cancelled);
      expect(await availableOf(productId)).toBe(5);
      expect(await shop.payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'REFUNDED', refundedCents: placed.totalCents });
      expect(faults.calls(paymentsContract, 'refundOrder', (input) => input.orderId === placed.id)).toHaveLength(1);
      expect((await outboxOf(placed.id)).map((row) => [row.event_type, row.payload['reason'] ?? null])).toEqual([
        [eventType(ordersContract, 'OrderConfirmed'), null],
        [eventType(ordersContract, 'OrderCancelled'), 'cancelled_by_customer'],
      ]);
      // The same request again answers with the order as it now is, and orders nothing.
      expect(await shop.orders.placeOrder(input)).toEqual(cancelled);
      expect(await availableOf(productId)).toBe(5);
    });

    it('refuses to cancel once the shipment is dispatched: ORDER_NOT_CANCELLABLE, nothing changed', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const placed = await shop.orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));
      await shop.shipping.advanceShipment({ shipmentId: placed.shipmentId! });

      const error = await failure(shop.orders.cancelOrder({ userId: user, orderId: placed.id }));

      expect(error).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE', kind: 'conflict', details: { orderId: placed.id } });
      expect((await shop.orders.getOrder({ userId: user, orderId: placed.id })).status).toBe('CONFIRMED');
      expect(await shop.payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'CAPTURED', refundedCents: 0 });
      expect((await shop.shipping.getShipmentByOrder({ orderId: placed.id })).status).toBe('DISPATCHED');
      expect(await availableOf(productId)).toBe(3);
    });

    it("answers ORDER_NOT_FOUND for another user's order, and for an id that names none", async () => {
      const owner = newUser();
      const productId = await stockedProduct(5);
      const placed = await shop.orders.placeOrder(orderInput(owner, [{ productId, quantity: 1 }]));
      const stranger = newUser();

      expect(await failure(shop.orders.cancelOrder({ userId: stranger, orderId: placed.id }))).toMatchObject({ code: 'ORDER_NOT_FOUND', kind: 'not-found' });
      expect(await failure(shop.orders.getOrder({ userId: stranger, orderId: placed.id }))).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      expect(await failure(shop.orders.getOrder({ userId: owner, orderId: randomUUID() }))).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      expect(await failure(shop.orders.cancelOrder({ userId: owner, orderId: 'not-an-order' }))).toMatchObject({ code: 'ORDER_NOT_FOUND' });
      expect((await shop.orders.getOrder({ userId: owner, orderId: placed.id })).status).toBe('CONFIRMED');
      expect(await shop.payments.getPaymentByOrder({ orderId: placed.id })).toMatchObject({ status: 'CAPTURED' });
    });
  });
});
