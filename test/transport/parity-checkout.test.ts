/**
 * One test body per contract, two bindings (parity-bindings.ts), for the contracts checkout
 * drives (payments, shipping, orders) and the notifications it ends in: called in process and
 * through bindRemote, each must give the same results and raise the same errors (code, kind,
 * message and details); and the remote run did go over the wire, to both instances.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { inventoryContract } from '../../src/modules/inventory/contract.js';
import { notificationsContract } from '../../src/modules/notifications/contract.js';
import { ordersContract } from '../../src/modules/orders/contract.js';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { shippingContract } from '../../src/modules/shipping/contract.js';
import { failureOf } from '../support/remote-shop.js';
import { waitFor } from '../support/wait-for.js';
import { parityShop, shopContracts, unknownUuid } from './parity-bindings.js';

const shop = parityShop();
const { local, bindings } = shop;

const address = { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };
const expYear = new Date().getFullYear() + 3;
const paymentCard = (number: string) => ({ number, expMonth: 12, expYear, cvc: '123' });
const orderCard = (cardNumber: string) => ({ cardNumber, expMonth: 12, expYear, cvc: '123' });

describe.each(bindings)('the shop’s contracts $name', (binding) => {
  const tag = () => `${binding.name.split(' ')[0]}-${randomUUID().slice(0, 8)}`;
  /** A product of its own with `available` in stock, so runs of the two bindings never share stock. */
  const stockedProduct = async (available: number): Promise<string> => {
    const sku = `PARITY-${tag()}`.toUpperCase();
    const product = await local(catalogContract).createProduct({ sku, name: `Parity ${sku}`, description: '', priceCents: 1500, currency: 'EUR', categorySlug: 'home', weightGrams: 500 });
    await local(inventoryContract).setStock({ productId: product.id, available });
    return product.id;
  };

  describe('payments', () => {
    const payments = () => binding.api(paymentsContract);
    const charge = (orderId: string, number: string) => ({ orderId, userId: `user-${tag()}`, amountCents: 4999, currency: 'EUR', card: paymentCard(number) });

    it('charges an order once, refunds it once, and reports what happened to it', async () => {
      const orderId = `order-${tag()}`;
      const request = charge(orderId, testCards.success);
      const captured = await payments().charge(request);
      expect(captured).toEqual({ paymentId: expect.any(String), orderId, status: 'CAPTURED', amountCents: 4999, currency: 'EUR', last4: '4242', brand: 'visa' });
      expect(await payments().charge(request)).toEqual(captured);
      const refunded = { paymentId: captured.paymentId, status: 'REFUNDED', refundedCents: 4999 };
      expect(await payments().refund({ paymentId: captured.paymentId })).toEqual(refunded);
      expect(await payments().refundOrder({ orderId })).toEqual(refunded);
      expect(await payments().getPaymentByOrder({ orderId })).toMatchObject({ paymentId: captured.paymentId, status: 'REFUNDED', attempts: 1 });
    });

    it('raises PAYMENT_DECLINED with its reason, PAYMENT_NOT_FOUND for an order never charged', async () => {
      const orderId = `order-${tag()}`;
      expect(await failureOf(payments().charge(charge(orderId, testCards.declined)))).toEqual({
        code: 'PAYMENT_DECLINED',
        kind: 'refused',
        message: 'The card ending 0002 was declined (card_declined)',
        details: { reason: 'card_declined', orderId },
      });
      const never = `order-${tag()}`;
      expect(await failureOf(payments().getPaymentByOrder({ orderId: never }))).toEqual({
        code: 'PAYMENT_NOT_FOUND',
        kind: 'not-found',
        message: `Order ${never} has no payment`,
        details: { orderId: never },
      });
      expect(await payments().refundOrder({ orderId: never })).toEqual({ orderId: never, status: 'NOTHING_TO_REFUND' });
    });
  });

  describe('shipping', () => {
    const shipping = () => binding.api(shippingContract);

    it('quotes rates; UNSUPPORTED_COUNTRY and PARCEL_TOO_HEAVY name the field', async () => {
      const quote = await shipping().quoteRates({ country: 'FR', weightGrams: 2500 });
      expect(quote).toEqual(await local(shippingContract).quoteRates({ country: 'FR', weightGrams: 2500 }));
      expect(quote.rates.map((rate) => rate.service)).toEqual(['standard', 'express']);
      expect(await failureOf(shipping().quoteRates({ country: 'KP', weightGrams: 100 }))).toEqual({
        code: 'UNSUPPORTED_COUNTRY',
        kind: 'refused',
        message: 'country: we do not ship to KP',
        details: { country: 'KP', errors: [{ field: 'country', message: 'we do not ship to KP' }] },
      });
      expect(await failureOf(shipping().quoteRates({ country: 'DE', weightGrams: 30_001 }))).toEqual({
        code: 'PARCEL_TOO_HEAVY',
        kind: 'refused',
        message: 'weightGrams: 30001 g is over the 30000 g we carry',
        details: { maxWeightGrams: 30_000, errors: [{ field: 'weightGrams', message: 'must be at most 30000 grams' }] },
      });
    });

    it('creates a shipment once, walks it to DELIVERED, and refuses a further step with SHIPMENT_ALREADY_DELIVERED', async () => {
      const orderId = `order-${tag()}`;
      const request = { orderId, userId: `user-${tag()}`, address, weightGrams: 1200, service: 'standard' as const };
      const created = await shipping().createShipment(request);
      expect(created).toMatchObject({ orderId, status: 'CREATED', service: 'standard', address, weightGrams: 1200 });
      expect(await shipping().createShipment({ ...request, weightGrams: 9000 })).toEqual(created);
      expect(await shipping().advanceShipment({ shipmentId: created.id })).toMatchObject({ status: 'DISPATCHED' });
      const delivered = await shipping().advanceShipment({ shipmentId: created.id });
      expect(delivered.events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED', 'DELIVERED']);
      expect(await shipping().getShipmentByOrder({ orderId })).toEqual(delivered);
      expect(await failureOf(shipping().advanceShipment({ shipmentId: created.id }))).toEqual({
        code: 'SHIPMENT_ALREADY_DELIVERED',
        kind: 'conflict',
        message: `Shipment ${created.id} is already delivered`,
        details: { shipmentId: created.id, orderId },
      });
      expect(await failureOf(shipping().cancelShipment({ orderId }))).toMatchObject({ code: 'SHIPMENT_ALREADY_DISPATCHED', kind: 'conflict', details: { shipmentId: created.id, orderId, status: 'DELIVERED' } });
    });

    it('raises SHIPMENT_NOT_FOUND for an unknown shipment, and cancels what an order never had as NO_SHIPMENT', async () => {
      const error = await failureOf(shipping().getShipment({ shipmentId: unknownUuid }));
      expect(error).toMatchObject({ code: 'SHIPMENT_NOT_FOUND', kind: 'not-found' });
      expect(error).toEqual(await failureOf(local(shippingContract).getShipment({ shipmentId: unknownUuid })));
      const orderId = `order-${tag()}`;
      expect(await shipping().cancelShipment({ orderId })).toEqual({ outcome: 'NO_SHIPMENT', orderId });
    });
  });

  describe('orders', () => {
    const orders = () => binding.api(ordersContract);
    const placing = (userId: string, productId: string, quantity: number, cardNumber: string = testCards.success) => ({
      userId,
      idempotencyKey: randomUUID(),
      items: [{ productId, quantity }],
      shippingAddress: address,
      payment: orderCard(cardNumber),
    });

    it('places an order through checkout, returns it again for the same key, lists it and cancels it', async () => {
      const userId = `user-${tag()}`;
      const productId = await stockedProduct(3);
      const input = placing(userId, productId, 2);
      const order = await orders().placeOrder(input);
      expect(order).toMatchObject({ userId, status: 'CONFIRMED', items: [{ productId, quantity: 2, unitPriceCents: 1500, lineTotalCents: 3000 }], itemsCents: 3000, currency: 'EUR', paymentLast4: '4242' });
      expect(order.shipmentId).toEqual(expect.any(String));
      expect(await orders().placeOrder(input)).toEqual(order);
      expect(await orders().getOrder({ userId, orderId: order.id })).toEqual(order);
      expect(await orders().listOrders({ userId, limit: 10 })).toEqual({ items: [order] });
      expect(await orders().cancelOrder({ userId, orderId: order.id })).toMatchObject({ id: order.id, status: 'CANCELLED', cancellationReason: 'cancelled_by_customer' });
      expect(await local(inventoryContract).getStock({ productIds: [productId] })).toEqual({ items: [{ productId, available: 3 }] });
    });

    it('raises OUT_OF_STOCK and PAYMENT_DECLINED naming the cancelled order, ORDER_NOT_FOUND for another’s', async () => {
      const userId = `user-${tag()}`;
      const productId = await stockedProduct(1);
      const short = await failureOf(orders().placeOrder(placing(userId, productId, 2)));
      expect(short).toEqual({ code: 'OUT_OF_STOCK', kind: 'conflict', message: `Not enough stock for ${productId}`, details: { orderId: expect.any(String), productIds: [productId] } });
      const declined = await failureOf(orders().placeOrder(placing(userId, productId, 1, testCards.declined)));
      expect(declined).toEqual({ code: 'PAYMENT_DECLINED', kind: 'refused', message: 'The card was declined', details: { orderId: expect.any(String), reason: 'card_declined' } });
      const { items } = await local(ordersContract).listOrders({ userId, limit: 10 });
      expect(items.map((order) => [order.id, order.status])).toEqual([
        [declined.details!['orderId'], 'CANCELLED'],
        [short.details!['orderId'], 'CANCELLED'],
      ]);
      const orderId = String(short.details!['orderId']);
      expect(await failureOf(orders().getOrder({ userId: `someone-else-${tag()}`, orderId }))).toEqual({ code: 'ORDER_NOT_FOUND', kind: 'not-found', message: `No order ${orderId}`, details: { orderId } });
    });
  });

  describe('notifications', () => {
    const notifications = () => binding.api(notificationsContract);

    it('lists what a customer was told about their order, newest first, as the module holds it', async () => {
      const userId = `user-${tag()}`;
      const productId = await stockedProduct(1);
      await local(ordersContract).placeOrder({ userId, idempotencyKey: randomUUID(), items: [{ productId, quantity: 1 }], shippingAddress: address, payment: orderCard(testCards.success) });
      // The notification comes from the OrderConfirmed event, relayed in the background.
      const listed = await waitFor(() => notifications().listNotifications({ userId, limit: 10 }), ({ items }) => items.length === 1, 60_000, 'the order_confirmed notification');
      expect(listed.items).toEqual([expect.objectContaining({ userId, kind: 'order_confirmed' })]);
      expect(listed).toEqual(await local(notificationsContract).listNotifications({ userId, limit: 10 }));
    });

    it('rejects input that breaks the contract with VALIDATION_FAILED naming the field', async () => {
      const error = await failureOf(notifications().listNotifications({ userId: `user-${tag()}`, limit: 0 }));
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', kind: 'invalid', details: { errors: [{ field: 'limit' }] } });
      expect(error.message).toMatch(/^notifications\/v1\.listNotifications input: limit:/);
    });
  });
});

describe('the remote run', () => {
  it('went over the wire, to both instances', () => {
    for (const instance of shop.instances()) expect(shopContracts.some((contract) => Object.keys(contract.methods).some((method) => instance.calls(`${contract.name}.${method}`) > 0))).toBe(true);
  });
});
