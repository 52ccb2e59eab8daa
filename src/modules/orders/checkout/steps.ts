/**
 * @module Checkout as a state machine. The table `checkoutSteps` is the whole of it: each step,
 * what it does, where it goes when that succeeds, why the order is cancelled when the other
 * side refuses, and how the step is undone. Below it, one function per step and per undo.
 *
 *   reserve ──► charge ──► ship ──► confirm ──► done (CONFIRMED)
 *      └──────────┴──────────┴─────────┴──► compensate ──► done (CANCELLED)
 *
 * A refusal (the other side answered no) cancels the order; any other failure is passing and
 * the step is retried later (driver.ts). Every call is idempotent per order, so repeating a
 * step whose result was not recorded has no second effect.
 */
import { SeamError } from '../../../kernel/errors.js';
import { isRefusal } from '../../../kernel/failures.js';
import type { InventoryApi } from '../../inventory/contract.js';
import { CardInvalid, PaymentNotFound, type PaymentsApi } from '../../payments/contract.js';
import type { ShippingApi } from '../../shipping/contract.js';
import { OrderPaymentDeclined, OutOfStock } from '../contract.js';
import type { OrderRow, StepChanges } from '../order.repository.js';
import type { SagaStep } from '../schema.js';
import type { CancellationReason } from './cancellation.js';
import type { CardCustody } from './card-custody.js';

/** The methods of other modules checkout calls: the only ones a step may use. */
export interface CheckoutDeps {
  readonly inventory: Pick<InventoryApi, 'reserve' | 'commit' | 'release'>;
  readonly payments: Pick<PaymentsApi, 'charge' | 'getPaymentByOrder' | 'refundOrder'>;
  readonly shipping: Pick<ShippingApi, 'createShipment' | 'cancelShipment'>;
}

/** What a step may use besides the order. */
export interface StepContext {
  readonly deps: CheckoutDeps;
  readonly cards: CardCustody;
  /** How long reserved stock waits for the rest of checkout. */
  readonly reservationTtlSeconds: number;
  /** Charge attempts, with the card, before a charge that keeps failing transiently cancels the order. */
  readonly maxChargeAttempts: number;
}

/** The steps that move an order forward, in order. */
export type ForwardStep = 'reserve' | 'charge' | 'ship' | 'confirm';
/** Every state an unfinished checkout can be in. */
export type ActiveStep = Exclude<SagaStep, 'done'>;

/** A step's own decision to cancel the order, for a reason other than a refusal. */
export interface Cancellation {
  readonly cancel: CancellationReason;
  readonly details?: Record<string, unknown>;
}

interface StepDefinition {
  /** Does the step: resolves with what to record on the order, or with its own cancellation. */
  readonly does: (order: OrderRow, context: StepContext) => Promise<StepChanges | Cancellation>;
  /** Where checkout goes when the step succeeds (`done` here: the order is CONFIRMED). */
  readonly onSuccess: ForwardStep | 'done';
  /**
   * Whether the step's result is written to the order before the next step starts. A step a
   * resume may simply take again (its call is idempotent per order) need not be: a resume
   * starts from the order's last record and redoes it, so its result is written with the
   * next record instead, saving a write per order. The end is always written.
   */
  readonly recordBeforeNext: boolean;
  /** The cancellation reason when the other side refuses with `refusal`. */
  readonly onRefusal: (refusal: SeamError) => CancellationReason;
  /** When a passing failure should not be retried again, the reason to cancel for instead. */
  readonly giveUp?: (order: OrderRow, context: StepContext) => CancellationReason | undefined;
  /** Undoes the step; idempotent, and harmless when the step never ran. */
  readonly undo?: (order: OrderRow, deps: CheckoutDeps) => Promise<unknown>;
}

export const checkoutSteps: Readonly<Record<ForwardStep, StepDefinition>> = {
  reserve: {
    does: reserveStock,
    onSuccess: 'charge',
    // Reserving again under the order's id returns the same reservation.
    recordBeforeNext: false,
    onRefusal: (refusal) => (OutOfStock.is(refusal) ? 'out_of_stock' : 'stock_refused'),
    undo: releaseStock,
  },
  charge: {
    does: chargeCard,
    onSuccess: 'ship',
    // The card lives in this process's memory only, until the charge: once the money is
    // taken the order says so, and no process ever needs the card for this order again.
    recordBeforeNext: true,
    onRefusal: (refusal) => (OrderPaymentDeclined.is(refusal) ? 'payment_declined' : CardInvalid.is(refusal) ? 'card_invalid' : 'payment_refused'),
    giveUp: chargeAttemptsUsedUp,
    undo: refundPayment,
  },
  ship: {
    does: createShipment,
    onSuccess: 'confirm',
    // Creating the order's shipment again returns the same shipment.
    recordBeforeNext: false,
    onRefusal: () => 'shipping_refused',
    undo: cancelShipment,
  },
  confirm: {
    does: commitStock,
    onSuccess: 'done',
    // The end, written with the event that tells how the order ended.
    recordBeforeNext: true,
    // E.g. the reservation expired while a dependency was down: the stock is gone again, and
    // retrying would never succeed.
    onRefusal: () => 'reservation_expired',
    // Nothing of its own: reserve's undo gives committed stock back too.
  },
};

const forwardSteps = Object.keys(checkoutSteps) as ForwardStep[];

/** Where a step leaves the checkout. */
export type Transition =
  /** `recordNow`: write `record` to the order before going on; otherwise it waits for the next record (see recordBeforeNext). */
  | { readonly kind: 'advance'; readonly to: ForwardStep | 'compensate' | 'done'; readonly record: StepChanges; readonly recordNow: boolean }
  | { readonly kind: 'cancel'; readonly reason: CancellationReason; readonly details?: Record<string, unknown> }
  | { readonly kind: 'retry'; readonly error: unknown };

/** Takes the step `order` is at, as the table says: where checkout goes next. Never throws. */
export const takeStep = async (step: ActiveStep, order: OrderRow, context: StepContext): Promise<Transition> => {
  if (step === 'compensate') {
    try {
      await compensate(order, context.deps);
      return { kind: 'advance', to: 'done', record: { status: 'CANCELLED' }, recordNow: true };
    } catch (error) {
      return { kind: 'retry', error };
    }
  }
  const definition = checkoutSteps[step];
  try {
    const result = await definition.does(order, context);
    if ('cancel' in result) return { kind: 'cancel', reason: result.cancel, details: result.details };
    const record = definition.onSuccess === 'done' ? { ...result, status: 'CONFIRMED' as const } : result;
    return { kind: 'advance', to: definition.onSuccess, record, recordNow: definition.recordBeforeNext || definition.onSuccess === 'done' };
  } catch (error) {
    if (isRefusal(error)) return { kind: 'cancel', reason: definition.onRefusal(error), details: { ...error.details, code: error.code } };
    const givenUp = definition.giveUp?.(order, context);
    if (givenUp) return { kind: 'cancel', reason: givenUp, details: { code: error instanceof SeamError ? error.code : 'INTERNAL' } };
    return { kind: 'retry', error };
  }
};

/**
 * Undoes every step, last first, whatever the order records as done: each undo is idempotent,
 * and a runner that lost its lease may have done a step the order never recorded.
 */
export const compensate = async (order: OrderRow, deps: CheckoutDeps): Promise<void> => {
  for (const step of [...forwardSteps].reverse()) await checkoutSteps[step].undo?.(order, deps);
};

/** Whether the card is still needed at `step`: only until the charge. */
export const needsCard = (step: SagaStep): boolean => step === 'reserve' || step === 'charge';

// --- the steps ---

async function reserveStock(order: OrderRow, { deps, reservationTtlSeconds }: StepContext): Promise<StepChanges> {
  await deps.inventory.reserve({
    reservationId: order.id,
    items: order.items.map((line) => ({ productId: line.productId, quantity: line.quantity })),
    ttlSeconds: reservationTtlSeconds,
  });
  return {};
}

/** Charges the card this process holds; without it, learns whether an earlier charge went through. */
async function chargeCard(order: OrderRow, { deps, cards }: StepContext): Promise<StepChanges | Cancellation> {
  const card = cards.cardFor(order.id);
  if (!card) return findEarlierCharge(order, deps);
  const payment = await deps.payments.charge({ orderId: order.id, userId: order.userId, amountCents: order.totalCents, currency: order.currency, card });
  return { paymentId: payment.paymentId, paymentLast4: payment.last4 };
}

/**
 * The process that held the card died before the charge was recorded. If the charge went
 * through, carry on; otherwise the card is gone (it is never stored), so cancel.
 */
async function findEarlierCharge(order: OrderRow, deps: CheckoutDeps): Promise<StepChanges | Cancellation> {
  const payment = await deps.payments.getPaymentByOrder({ orderId: order.id }).catch((error: unknown) => {
    if (PaymentNotFound.is(error)) return undefined;
    throw error;
  });
  if (payment?.status === 'CAPTURED') return { paymentId: payment.paymentId, paymentLast4: payment.last4 };
  return { cancel: 'checkout_interrupted' };
}

/** A charge with the card that failed for the maxChargeAttempts-th time is not tried again. */
function chargeAttemptsUsedUp(order: OrderRow, { cards, maxChargeAttempts }: StepContext): CancellationReason | undefined {
  return cards.cardFor(order.id) !== undefined && order.sagaAttempts + 1 >= maxChargeAttempts ? 'payment_failed' : undefined;
}

async function createShipment(order: OrderRow, { deps }: StepContext): Promise<StepChanges> {
  const shipment = await deps.shipping.createShipment({
    orderId: order.id,
    userId: order.userId,
    address: order.shippingAddress,
    weightGrams: order.weightGrams,
    service: 'standard',
  });
  return { shipmentId: shipment.id };
}

async function commitStock(order: OrderRow, { deps }: StepContext): Promise<StepChanges> {
  await deps.inventory.commit({ reservationId: order.id });
  return {};
}

// --- the undos ---

async function releaseStock(order: OrderRow, deps: CheckoutDeps): Promise<unknown> {
  return deps.inventory.release({ reservationId: order.id });
}

async function refundPayment(order: OrderRow, deps: CheckoutDeps): Promise<unknown> {
  return deps.payments.refundOrder({ orderId: order.id });
}

async function cancelShipment(order: OrderRow, deps: CheckoutDeps): Promise<unknown> {
  return deps.shipping.cancelShipment({ orderId: order.id });
}
