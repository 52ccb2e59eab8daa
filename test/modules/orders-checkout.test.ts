/**
 * Checkout through the orders module's saga, in the shop of orders-shop.ts on embedded PGlite
 * and on a real PostgreSQL server: confirmation, every way checkout can end in cancellation
 * with its compensations, and retries of transient failures. Faults are injected through the
 * APIs the orders module gets for its dependencies, each rule matching one test's user only.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventType } from '../../src/kernel/events.js';
import { inventoryContract } from '../../src/modules/inventory/contract.js';
import { notificationsContract } from '../../src/modules/notifications/contract.js';
import { ordersContract } from '../../src/modules/orders/contract.js';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { ParcelTooHeavy, shippingContract } from '../../src/modules/shipping/contract.js';
import { databaseBackends } from '../support/database-backends.js';
import { failure } from '../support/failure.js';
import { refuse, unavailable } from '../support/fault-injection.js';
import { address, checkoutShopOn, eventually, newUser, orderInput } from './orders-shop.js';

describe.each(databaseBackends)('orders on $name', (backend) => {
  const shop = checkoutShopOn(backend);
  const { faults, processor, stockedProduct, availableOf, standardShippingCents, reservationStatus, outboxOf, orderRows, chargeCalls, onlyOrderOf, paymentNotFound } = shop;

  describe('checkout', () => {
    it('confirms a new order within the request, and reads it back exactly as it answered', async () => {
      const user = newUser();
      const order = await shop.orders.placeOrder(orderInput(user, [{ productId: await stockedProduct(1), quantity: 1 }]));
      expect(order.status).toBe('CONFIRMED');
      expect(await shop.orders.getOrder({ userId: user, orderId: order.id })).toEqual(order);
    });

    it('confirms an order: stock committed, payment captured once, shipment created, OrderConfirmed published and consumed', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const chargesBefore = processor.charges.length;
      const shippingCents = await standardShippingCents(1600);

      const order = await shop.orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));

      expect(order).toMatchObject({
        userId: user,
        status: 'CONFIRMED',
        items: [{ productId, name: 'Test Lamp', quantity: 2, unitPriceCents: 2500, lineTotalCents: 5000 }],
        itemsCents: 5000,
        shippingCents,
        totalCents: 5000 + shippingCents,
        currency: 'EUR',
        shippingAddress: address,
        shipmentId: expect.any(String),
        paymentLast4: '4242',
        cancellationReason: null,
      });
      expect(await availableOf(productId)).toBe(3);
      expect(await reservationStatus(order.id)).toBe('COMMITTED');

      expect(await shop.payments.getPaymentByOrder({ orderId: order.id })).toMatchObject({
        status: 'CAPTURED',
        amountCents: order.totalCents,
        currency: 'EUR',
        userId: user,
        last4: '4242',
        attempts: 1,
        refundedCents: 0,
      });
      expect(chargeCalls(order.id)).toBe(1);
      expect(processor.charges.length - chargesBefore).toBe(1);

      expect(await shop.shipping.getShipmentByOrder({ orderId: order.id })).toMatchObject({
        id: order.shipmentId,
        status: 'CREATED',
        userId: user,
        service: 'standard',
        weightGrams: 1600,
        address,
      });

      expect(await shop.orders.getOrder({ userId: user, orderId: order.id })).toEqual(order);
      expect((await shop.orders.listOrders({ userId: user, limit: 10 })).items).toEqual([order]);

      expect(await outboxOf(order.id)).toEqual([
        {
          event_type: eventType(ordersContract, 'OrderConfirmed'),
          subscriber: 'notifications',
          payload: { orderId: order.id, userId: user, totalCents: order.totalCents, currency: 'EUR' },
        },
      ]);
      const notifications = shop.running.host.api(notificationsContract);
      const kinds = await eventually(async () => {
        const { items } = await notifications.listNotifications({ userId: user, limit: 10 });
        return items.length > 0 ? items.map((item) => item.kind) : undefined;
      });
      expect(kinds).toEqual(['order_confirmed']);
    });

    it.each([
      { card: 'declined', number: testCards.declined, reason: 'card_declined' },
      { card: 'insufficient funds', number: testCards.insufficientFunds, reason: 'insufficient_funds' },
    ])('cancels the order when the card is refused ($card): PAYMENT_DECLINED, stock released, nothing captured', async ({ number, reason }) => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const chargesBefore = processor.charges.length;

      const error = await failure(shop.orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }], number)));

      expect(error).toMatchObject({ code: 'PAYMENT_DECLINED', kind: 'refused', details: { orderId: expect.any(String), reason } });
      const orderId = String(error.details?.['orderId']);
      expect(await shop.orders.getOrder({ userId: user, orderId })).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'payment_declined',
        paymentLast4: null,
        shipmentId: null,
      });
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(orderId)).toBe('RELEASED');
      expect(await shop.payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'DECLINED', declineReason: reason, refundedCents: 0, attempts: 1 });
      expect(processor.charges.length).toBe(chargesBefore);
      expect(await failure(shop.shipping.getShipmentByOrder({ orderId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND' });
      expect((await outboxOf(orderId)).map((row) => [row.event_type, row.payload['reason']])).toEqual([
        [eventType(ordersContract, 'OrderCancelled'), 'payment_declined'],
      ]);
    });

    it('retries a transient processing error maxChargeAttempts (3) times, then cancels: PAYMENT_FAILED', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const chargesBefore = processor.charges.length;

      const error = await failure(shop.orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }], testCards.processingError)));

      expect(error).toMatchObject({ code: 'PAYMENT_FAILED', kind: 'unavailable', details: { orderId: expect.any(String) } });
      const orderId = String(error.details?.['orderId']);
      expect(chargeCalls(orderId)).toBe(3);
      expect(await shop.payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'FAILED', attempts: 3, refundedCents: 0 });
      expect(processor.charges.length).toBe(chargesBefore);
      expect(await shop.orders.getOrder({ userId: user, orderId })).toMatchObject({ status: 'CANCELLED', cancellationReason: 'payment_failed' });
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(orderId)).toBe('RELEASED');
    });

    it('refuses an order for more than is in stock: OUT_OF_STOCK naming the product, no stock changed, the order CANCELLED', async () => {
      const user = newUser();
      const plenty = await stockedProduct(5);
      const scarce = await stockedProduct(1);

      const error = await failure(shop.orders.placeOrder(orderInput(user, [{ productId: plenty, quantity: 2 }, { productId: scarce, quantity: 2 }])));

      expect(error).toMatchObject({ code: 'OUT_OF_STOCK', kind: 'conflict', details: { productIds: [scarce], orderId: expect.any(String) } });
      expect(await availableOf(plenty)).toBe(5);
      expect(await availableOf(scarce)).toBe(1);
      const order = await onlyOrderOf(user);
      expect(order).toMatchObject({ id: error.details?.['orderId'], status: 'CANCELLED', cancellationReason: 'out_of_stock', paymentLast4: null });
      expect(faults.calls(paymentsContract, 'charge', (input) => input.userId === user)).toEqual([]);
      await paymentNotFound(order.id);
    });

    it('refuses an unknown product with UNKNOWN_PRODUCT and creates no order', async () => {
      const user = newUser();
      const known = await stockedProduct(5);
      const missing = randomUUID();

      const error = await failure(
        shop.orders.placeOrder(orderInput(user, [{ productId: known, quantity: 1 }, { productId: missing, quantity: 1 }, { productId: 'not-even-a-uuid', quantity: 1 }])),
      );

      expect(error).toMatchObject({ code: 'UNKNOWN_PRODUCT', kind: 'refused' });
      expect([...(error.details?.['productIds'] as string[])].sort()).toEqual([missing, 'not-even-a-uuid'].sort());
      expect((await shop.orders.listOrders({ userId: user, limit: 10 })).items).toEqual([]);
      expect(await orderRows(user)).toEqual([]);
      expect(await availableOf(known)).toBe(5);
      expect(faults.calls(inventoryContract, 'reserve', (input) => input.items.some((item) => item.productId === known))).toEqual([]);
    });

    it('compensates when shipping refuses: payment refunded, stock released, CANCELLED', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      faults.inject(shippingContract, 'createShipment', {
        when: (input) => input.userId === user,
        run: refuse(ParcelTooHeavy.create('the carrier refused the parcel (injected fault)', { maxWeightGrams: 30_000 })),
      });

      const error = await failure(shop.orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }])));

      expect(error).toMatchObject({ code: 'CHECKOUT_FAILED', kind: 'conflict', details: { orderId: expect.any(String), reason: 'shipping_refused' } });
      const orderId = String(error.details?.['orderId']);
      const order = await shop.orders.getOrder({ userId: user, orderId });
      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'shipping_refused', shipmentId: null });
      expect(await shop.payments.getPaymentByOrder({ orderId })).toMatchObject({ status: 'REFUNDED', refundedCents: order.totalCents, attempts: 1 });
      expect(chargeCalls(orderId)).toBe(1);
      expect(await availableOf(productId)).toBe(5);
      expect(await reservationStatus(orderId)).toBe('RELEASED');
      expect(await failure(shop.shipping.getShipmentByOrder({ orderId }))).toMatchObject({ code: 'SHIPMENT_NOT_FOUND' });
    });

    it('retries shipping while it is transiently down (first 2 calls) and still confirms', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const outage = faults.inject(shippingContract, 'createShipment', { when: (input) => input.userId === user, times: 2, run: unavailable('shipping') });

      const order = await shop.orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));

      expect(order).toMatchObject({ status: 'CONFIRMED', shipmentId: expect.any(String) });
      expect(outage.hits).toBe(2);
      expect(faults.calls(shippingContract, 'createShipment', (input) => input.orderId === order.id)).toHaveLength(3);
      expect(chargeCalls(order.id)).toBe(1);
      expect(await shop.payments.getPaymentByOrder({ orderId: order.id })).toMatchObject({ status: 'CAPTURED', attempts: 1 });
      expect((await shop.shipping.getShipmentByOrder({ orderId: order.id })).id).toBe(order.shipmentId);
      expect(await availableOf(productId)).toBe(3);
    });

    // The shipment is not recorded on the order of its own (it goes with the next record), so a
    // commit that fails keeps it by recording it with the postponed step.
    it('retries a commit that failed after the shipment was made, and confirms with that shipment', async () => {
      const user = newUser();
      const productId = await stockedProduct(5);
      const ours = (reservationId: string) =>
        faults.calls(inventoryContract, 'reserve', (input) => input.reservationId === reservationId && input.items.some((line) => line.productId === productId)).length > 0;
      const outage = faults.inject(inventoryContract, 'commit', { when: (input) => ours(input.reservationId), times: 1, run: unavailable('inventory') });

      const order = await shop.orders.placeOrder(orderInput(user, [{ productId, quantity: 2 }]));

      expect(order).toMatchObject({ status: 'CONFIRMED', shipmentId: expect.any(String) });
      expect(outage.hits).toBe(1);
      expect((await shop.shipping.getShipmentByOrder({ orderId: order.id })).id).toBe(order.shipmentId);
      expect(chargeCalls(order.id)).toBe(1);
      expect(await reservationStatus(order.id)).toBe('COMMITTED');
      expect(await availableOf(productId)).toBe(3);
      expect(await orderRows(user)).toEqual([expect.objectContaining({ id: order.id, status: 'CONFIRMED', saga_step: 'done', saga_attempts: 0 })]);
    });
  });
});
