/**
 * @module The words of each notification, built from the event's payload alone.
 *
 * Handlers do not call other modules to enrich a message (a name, the items): an event must
 * be handled even when its publisher is down, and what it carries is what it says.
 */
import type { EventPayload } from '../../kernel/contract.js';
import type { ordersContract } from '../orders/contract.js';
import type { shippingContract } from '../shipping/contract.js';
import type { NotificationKind } from './contract.js';

/** A notification before it is stored. */
export interface NotificationDraft {
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly title: string;
  readonly body: string;
}

/** 1234 cents in EUR → "12.34 EUR". */
const money = (cents: number, currency: string): string => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
};

export const orderConfirmed = (event: EventPayload<typeof ordersContract, 'OrderConfirmed'>): NotificationDraft => ({
  userId: event.userId,
  kind: 'order_confirmed',
  title: 'Your order is confirmed',
  body: `Order ${event.orderId} is confirmed and paid: ${money(event.totalCents, event.currency)}. We will tell you when it ships.`,
});

export const orderCancelled = (event: EventPayload<typeof ordersContract, 'OrderCancelled'>): NotificationDraft => ({
  userId: event.userId,
  kind: 'order_cancelled',
  title: 'Your order was cancelled',
  body: `Order ${event.orderId} was cancelled (${event.reason}). Anything charged has been refunded.`,
});

export const shipmentDispatched = (event: EventPayload<typeof shippingContract, 'ShipmentDispatched'>): NotificationDraft => ({
  userId: event.userId,
  kind: 'shipment_dispatched',
  title: 'Your order is on its way',
  body: `Order ${event.orderId} has been dispatched. Tracking number: ${event.trackingNumber}.`,
});

export const shipmentDelivered = (event: EventPayload<typeof shippingContract, 'ShipmentDelivered'>): NotificationDraft => ({
  userId: event.userId,
  kind: 'shipment_delivered',
  title: 'Your order has arrived',
  body: `Order ${event.orderId} has been delivered.`,
});
