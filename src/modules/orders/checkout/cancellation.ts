/**
 * @module Why a checkout can be cancelled, and the one place that says which error the caller
 * of placeOrder gets for each reason. The reason is stored on the order, so a replay of the
 * same request answers with the same error long after the checkout ended.
 */
import type { SeamError } from '../../../kernel/errors.js';
import { CheckoutFailed, OrderPaymentDeclined, OrderPaymentFailed, OutOfStock } from '../contract.js';
import type { OrderRow } from '../order.repository.js';

export const cancellationReasons = [
  /** Inventory refused the reservation: not enough stock. */
  'out_of_stock',
  /** Inventory refused the reservation for another reason. */
  'stock_refused',
  /** The card was declined (details.reason says why). */
  'payment_declined',
  /** The card failed payments' checks. */
  'card_invalid',
  /** Payments refused the charge for another reason. */
  'payment_refused',
  /** The charge kept failing transiently, maxChargeAttempts times. */
  'payment_failed',
  /** The process holding the card died before charging; the card is gone. */
  'checkout_interrupted',
  /** Shipping refused the shipment. */
  'shipping_refused',
  /** Inventory refused to commit: the reservation expired while a later step waited. */
  'reservation_expired',
  /** The customer cancelled a confirmed order. */
  'cancelled_by_customer',
] as const;

export type CancellationReason = (typeof cancellationReasons)[number];

const knownReasons: ReadonlySet<string> = new Set(cancellationReasons);

export const isCancellationReason = (value: unknown): value is CancellationReason => typeof value === 'string' && knownReasons.has(value);

type CancelledOrder = Pick<OrderRow, 'id' | 'status' | 'cancellationReason' | 'cancellationDetails'>;

const checkoutFailed = (orderId: string, reason: string): SeamError => CheckoutFailed.create(`The order was cancelled: ${reason}`, { orderId, reason });

const cardDeclined = (orderId: string, reason: CancellationReason, details: Record<string, unknown>): SeamError =>
  OrderPaymentDeclined.create('The card was declined', { orderId, reason: details['reason'] ?? reason });

type Answer = (orderId: string, reason: CancellationReason, details: Record<string, unknown>) => SeamError | undefined;

/** Every reason's answer; `undefined`: no error, placeOrder answers with the order itself. */
const errorByReason: Readonly<Record<CancellationReason, Answer>> = {
  out_of_stock: (orderId, _reason, details) =>
    OutOfStock.create(`Not enough stock for ${String(details['productIds'] ?? 'some products')}`, { orderId, productIds: details['productIds'] ?? [] }),
  stock_refused: checkoutFailed,
  payment_declined: cardDeclined,
  card_invalid: cardDeclined,
  payment_refused: checkoutFailed,
  payment_failed: (orderId) => OrderPaymentFailed.create('The payment could not be processed; the order was cancelled', { orderId }),
  checkout_interrupted: checkoutFailed,
  shipping_refused: checkoutFailed,
  reservation_expired: checkoutFailed,
  cancelled_by_customer: () => undefined,
};

/**
 * The error placeOrder answers for `order`: undefined unless checkout cancelled it. A reason
 * this version does not know (written by another) is a CHECKOUT_FAILED naming it.
 */
export const cancellationError = (order: CancelledOrder): SeamError | undefined => {
  if (order.status !== 'CANCELLED') return undefined;
  const reason = order.cancellationReason;
  if (!isCancellationReason(reason)) return checkoutFailed(order.id, reason ?? 'unknown reason');
  return errorByReason[reason](order.id, reason, order.cancellationDetails ?? {});
};
