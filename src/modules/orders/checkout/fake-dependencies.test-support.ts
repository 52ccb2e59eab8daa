/**
 * @module In-memory stand-ins for the inventory, payments and shipping APIs checkout calls,
 * for the checkout unit tests: plain objects with the contract methods checkout uses, each as
 * idempotent per order as the real one, keeping state a test can read afterwards. `outages`
 * makes the next calls of a method fail as if the module were down.
 */
import { randomUUID } from 'node:crypto';
import { ServiceUnavailable } from '../../../kernel/errors.js';
import { InsufficientStock, ReservationExpired } from '../../inventory/contract.js';
import { CardInvalid, PaymentDeclined, PaymentNotFound, type Payment } from '../../payments/contract.js';
import { ParcelTooHeavy, type Shipment } from '../../shipping/contract.js';
import type { OrderRow } from '../order.repository.js';
import type { CheckoutDeps } from './steps.js';

export const declinedCard = { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' };
export const invalidCard = { number: '4000000000000069', expMonth: 12, expYear: 2099, cvc: '123' };
export const goodCard = { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };

type Method = 'reserve' | 'commit' | 'release' | 'charge' | 'getPaymentByOrder' | 'refundOrder' | 'createShipment' | 'cancelShipment';

export interface FakeWorld {
  readonly deps: CheckoutDeps;
  /** Units available per product. */
  readonly available: Map<string, number>;
  /** Reservations by id (the order id). */
  readonly reservations: Map<string, { status: 'RESERVED' | 'COMMITTED' | 'RELEASED'; items: { productId: string; quantity: number }[] }>;
  readonly payments: Map<string, Payment>;
  readonly shipments: Map<string, Shipment>;
  /** How many of the next calls of a method fail as unavailable. */
  readonly outages: Map<Method, number>;
  /** Carrier refuses every parcel. */
  refuseParcels: boolean;
}

export const fakeWorld = (stock: Record<string, number> = {}): FakeWorld => {
  const world: Omit<FakeWorld, 'deps'> = {
    available: new Map(Object.entries(stock)),
    reservations: new Map(),
    payments: new Map(),
    shipments: new Map(),
    outages: new Map(),
    refuseParcels: false,
  };
  const mayFail = (method: Method): void => {
    const left = world.outages.get(method) ?? 0;
    if (left <= 0) return;
    world.outages.set(method, left - 1);
    throw ServiceUnavailable.create(`${method} is down (fake outage)`);
  };
  const now = (): string => new Date().toISOString();

  const deps: CheckoutDeps = {
    inventory: {
      reserve: async ({ reservationId, items }) => {
        mayFail('reserve');
        const existing = world.reservations.get(reservationId);
        if (!existing) {
          const short = items.filter((item) => (world.available.get(item.productId) ?? 0) < item.quantity).map((item) => item.productId);
          if (short.length > 0) throw InsufficientStock.create('Not enough stock', { productIds: short });
          for (const item of items) world.available.set(item.productId, world.available.get(item.productId)! - item.quantity);
          world.reservations.set(reservationId, { status: 'RESERVED', items });
        }
        const reservation = world.reservations.get(reservationId)!;
        return { reservationId, status: reservation.status, items: reservation.items, expiresAt: now() };
      },
      commit: async ({ reservationId }) => {
        mayFail('commit');
        const reservation = world.reservations.get(reservationId);
        if (!reservation || reservation.status === 'RELEASED') throw ReservationExpired.create('The reservation expired', { reservationId });
        reservation.status = 'COMMITTED';
        return { reservationId, status: reservation.status, items: reservation.items, expiresAt: now() };
      },
      release: async ({ reservationId }) => {
        mayFail('release');
        const reservation = world.reservations.get(reservationId);
        if (!reservation || reservation.status === 'RELEASED') return { reservationId, released: false };
        for (const item of reservation.items) world.available.set(item.productId, (world.available.get(item.productId) ?? 0) + item.quantity);
        reservation.status = 'RELEASED';
        return { reservationId, released: true };
      },
    },
    payments: {
      charge: async ({ orderId, userId, amountCents, currency, card }) => {
        mayFail('charge');
        if (card.number === declinedCard.number) throw PaymentDeclined.create('The card was declined', { reason: 'card_declined', orderId });
        if (card.number === invalidCard.number) throw CardInvalid.create('The card is not valid', { errors: [{ field: 'card.number', message: 'fails the check' }] });
        const existing = world.payments.get(orderId);
        const payment: Payment = existing ?? {
          paymentId: randomUUID(),
          orderId,
          userId,
          status: 'CAPTURED',
          amountCents,
          currency,
          last4: card.number.slice(-4),
          brand: 'visa',
          declineReason: null,
          refundedCents: 0,
          attempts: 1,
          createdAt: now(),
          updatedAt: now(),
        };
        world.payments.set(orderId, payment);
        return { paymentId: payment.paymentId, orderId, status: 'CAPTURED', amountCents, currency, last4: payment.last4, brand: payment.brand };
      },
      getPaymentByOrder: async ({ orderId }) => {
        mayFail('getPaymentByOrder');
        const payment = world.payments.get(orderId);
        if (!payment) throw PaymentNotFound.create('No payment for that order', { orderId });
        return payment;
      },
      refundOrder: async ({ orderId }) => {
        mayFail('refundOrder');
        const payment = world.payments.get(orderId);
        if (!payment || (payment.status !== 'CAPTURED' && payment.status !== 'REFUNDED')) return { orderId, status: 'NOTHING_TO_REFUND' };
        world.payments.set(orderId, { ...payment, status: 'REFUNDED', refundedCents: payment.amountCents });
        return { paymentId: payment.paymentId, status: 'REFUNDED', refundedCents: payment.amountCents };
      },
    },
    shipping: {
      createShipment: async ({ orderId, userId, address, weightGrams, service }) => {
        mayFail('createShipment');
        if (world.refuseParcels) throw ParcelTooHeavy.create('The carrier refused the parcel', { maxWeightGrams: 30_000 });
        const shipment: Shipment = world.shipments.get(orderId) ?? {
          id: randomUUID(),
          orderId,
          userId,
          status: 'CREATED',
          service,
          trackingNumber: `TRK-${orderId.slice(0, 8)}`,
          address,
          weightGrams,
          events: [{ status: 'CREATED', at: now() }],
          createdAt: now(),
        };
        world.shipments.set(orderId, shipment);
        return shipment;
      },
      cancelShipment: async ({ orderId }) => {
        mayFail('cancelShipment');
        const shipment = world.shipments.get(orderId);
        if (!shipment) return { outcome: 'NO_SHIPMENT', orderId };
        const cancelled: Shipment = shipment.status === 'CANCELLED' ? shipment : { ...shipment, status: 'CANCELLED', events: [...shipment.events, { status: 'CANCELLED', at: now() }] };
        world.shipments.set(orderId, cancelled);
        return { outcome: 'CANCELLED', shipment: cancelled };
      },
    },
  };
  return Object.assign(world, { deps });
};

/** A new PENDING order at the first step, as placing it would insert it: two lamps, 2 × 25.00 EUR + 4.90 shipping. */
export const pendingOrder = (productId: string, changes: Partial<OrderRow> = {}): OrderRow => ({
  id: randomUUID(),
  userId: 'user-1',
  idempotencyKey: randomUUID(),
  requestHash: 'hash',
  status: 'PENDING',
  items: [{ productId, name: 'Lamp', quantity: 2, unitPriceCents: 2500, lineTotalCents: 5000 }],
  itemsCents: 5000,
  shippingCents: 490,
  totalCents: 5490,
  currency: 'EUR',
  weightGrams: 1600,
  shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
  paymentId: null,
  paymentLast4: null,
  shipmentId: null,
  cancellationReason: null,
  cancellationDetails: null,
  sagaStep: 'reserve',
  sagaAttempts: 0,
  sagaNextAt: new Date(),
  sagaLeaseUntil: null,
  sagaOwner: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...changes,
});
