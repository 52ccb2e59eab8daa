/**
 * @module The checkout saga: reserve stock → charge → create shipment → confirm, and on a
 * refusal the compensations (refund, cancel shipment, release stock) → cancelled.
 *
 * State lives on the order row and is saved after every step, so any process can pick a saga
 * up where another left it: a runner first takes the row's lease, and a runner that dies lets
 * the lease lapse. Every call to another module is idempotent per order, so repeating a step
 * whose result was not saved has no second effect. Refusals (the other side said no: refused,
 * not found, conflict) end the order; anything else is treated as transient and the step is
 * retried with backoff.
 */
import type { Dependencies } from '../../kernel/module.js';
import type { EventPublisher } from '../../kernel/events.js';
import type { Database } from '../../kernel/database.js';
import { SeamError } from '../../kernel/errors.js';
import { isRefusal } from '../../kernel/failures.js';
import { failpoint } from '../../kernel/failpoint.js';
import type { Logger } from '../../kernel/logger.js';
import type { inventoryContract } from '../inventory/contract.js';
import type { paymentsContract } from '../payments/contract.js';
import type { shippingContract } from '../shipping/contract.js';
import type { ordersContract } from './contract.js';
import { randomUUID } from 'node:crypto';
import type { OrderRepository, OrderRow, Runner, StepChanges } from './order.repository.js';
import type { SagaStep } from './schema.js';

export type CheckoutDeps = Dependencies<{
  inventory: typeof inventoryContract;
  payments: typeof paymentsContract;
  shipping: typeof shippingContract;
}>;

/** Card details, held in memory only until the charge step has used them. */
export interface CardDetails {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

export interface CheckoutOptions {
  /** How long reserved stock waits for the rest of checkout. */
  readonly reservationTtlSeconds: number;
  readonly leaseSeconds: number;
  /** Charge attempts after transient failures before the order is cancelled. */
  readonly maxChargeAttempts: number;
  /** Delay before retry n of a step that failed transiently. */
  readonly retryDelayMs: (attempt: number) => number;
}

/** What a step decided: go on to `next`, or stop and compensate for `reason`. */
type StepResult = { next: SagaStep; changes?: StepChanges } | { cancel: string; details?: Record<string, unknown> };


export class CheckoutSaga {
  readonly #cards = new Map<string, CardDetails>();
  /** Sagas running in this process now: the lease keeps other processes out, this keeps us from running one twice. */
  readonly #running = new Set<string>();
  /** This process, as the owner of the leases it takes. */
  readonly runner: Runner;

  constructor(
    private readonly db: Database,
    private readonly orders: OrderRepository,
    private readonly deps: CheckoutDeps,
    private readonly events: EventPublisher<typeof ordersContract>,
    private readonly logger: Logger,
    private readonly options: CheckoutOptions,
  ) {
    this.runner = { id: randomUUID(), leaseSeconds: options.leaseSeconds };
  }

  /** Keeps the card for the charge step of this order (never written anywhere). */
  holdCard(orderId: string, card: CardDetails): void {
    this.#cards.set(orderId, card);
  }

  /** Forgets a card held for an order that was never created. */
  dropCard(orderId: string): void {
    this.#cards.delete(orderId);
  }

  /**
   * Runs the saga of `orderId` as far as it can go now: to the end, or to a transient failure
   * (then it is postponed). Does nothing if another runner holds it. Resolves with the order as
   * this run finished it, or undefined when it did not finish it.
   *
   * `leased` is the row as this runner's own lease-taking write returned it (the insert of a new
   * order): the lease is fresh, so the run starts from it instead of claiming the row again.
   */
  async run(orderId: string, leased?: OrderRow): Promise<OrderRow | undefined> {
    if (this.#running.has(orderId)) return undefined;
    this.#running.add(orderId);
    try {
      return await this.#runClaimed(orderId, leased);
    } finally {
      this.#running.delete(orderId);
    }
  }

  async #runClaimed(orderId: string, leased: OrderRow | undefined): Promise<OrderRow | undefined> {
    let row: OrderRow | undefined = leased?.sagaOwner === this.runner.id ? leased : await this.orders.claim(orderId, this.runner);
    while (row && row.sagaStep !== 'done') {
      let result: StepResult;
      try {
        result = await this.#step(row);
      } catch (error) {
        await this.#postpone(row, error);
        return undefined;
      }
      const next: OrderRow | undefined = 'cancel' in result ? await this.#startCompensation(row, result) : await this.#advance(row, result.next, result.changes ?? {});
      if (!next) {
        await this.#lostLease(row);
        return undefined;
      }
      row = next;
      if (row.sagaStep === 'ship') failpoint('orders.checkout.after-charge');
    }
    // The card is dropped by the charge step or by compensation, never here: a run that found
    // the lease taken must not take the card from the runner that holds it.
    return row;
  }

  /**
   * Our lease lapsed mid-step and another runner took over, so our step's effect was not
   * recorded. If the order is being or was cancelled, what we just did (a charge, a shipment,
   * a reservation) may have escaped its compensation: undo it, idempotently, once more.
   */
  async #lostLease(row: OrderRow): Promise<void> {
    this.#cards.delete(row.id);
    const current = await this.orders.find(row.id);
    this.logger.warn({ orderId: row.id, step: row.sagaStep, now: current?.sagaStep }, 'checkout lease lost to another runner');
    if (current && (current.status === 'CANCELLED' || current.sagaStep === 'compensate')) await this.#compensate(current);
  }

  async #step(row: OrderRow): Promise<StepResult> {
    switch (row.sagaStep) {
      case 'reserve':
        return this.#reserve(row);
      case 'charge':
        return this.#charge(row);
      case 'ship':
        return this.#ship(row);
      case 'confirm':
        return this.#confirm(row);
      case 'compensate':
        await this.#compensate(row);
        return { next: 'done', changes: { status: 'CANCELLED' } };
      case 'done':
        return { next: 'done' };
    }
  }

  async #reserve(row: OrderRow): Promise<StepResult> {
    try {
      await this.deps.inventory.reserve({
        reservationId: row.id,
        items: row.items.map((line) => ({ productId: line.productId, quantity: line.quantity })),
        ttlSeconds: this.options.reservationTtlSeconds,
      });
      return { next: 'charge' };
    } catch (error) {
      if (isRefusal(error)) return { cancel: error.code === 'OUT_OF_STOCK' ? 'out_of_stock' : 'stock_refused', details: { ...error.details, code: error.code } };
      throw error;
    }
  }

  async #charge(row: OrderRow): Promise<StepResult> {
    const card = this.#cards.get(row.id);
    if (!card) return this.#chargeWithoutCard(row);
    try {
      const payment = await this.deps.payments.charge({ orderId: row.id, userId: row.userId, amountCents: row.totalCents, currency: row.currency, card });
      this.#cards.delete(row.id);
      return { next: 'ship', changes: { paymentId: payment.paymentId, paymentLast4: payment.last4 } };
    } catch (error) {
      if (isRefusal(error)) {
        const reason = error.code === 'PAYMENT_DECLINED' ? 'payment_declined' : error.code === 'CARD_INVALID' ? 'card_invalid' : 'payment_refused';
        return { cancel: reason, details: { ...error.details, code: error.code } };
      }
      if (row.sagaAttempts + 1 >= this.options.maxChargeAttempts) {
        return { cancel: 'payment_failed', details: { code: error instanceof SeamError ? error.code : 'INTERNAL' } };
      }
      throw error;
    }
  }

  /**
   * The process that held the card died before the charge was saved. If the charge went
   * through, carry on; otherwise the card is gone (it is never stored), so cancel.
   */
  async #chargeWithoutCard(row: OrderRow): Promise<StepResult> {
    const payment = await this.deps.payments.getPaymentByOrder({ orderId: row.id }).catch((error: unknown) => {
      if (isRefusal(error) && error.code === 'PAYMENT_NOT_FOUND') return undefined;
      throw error;
    });
    if (payment?.status === 'CAPTURED') return { next: 'ship', changes: { paymentId: payment.paymentId, paymentLast4: payment.last4 } };
    return { cancel: 'checkout_interrupted' };
  }

  async #confirm(row: OrderRow): Promise<StepResult> {
    try {
      await this.deps.inventory.commit({ reservationId: row.id });
      return { next: 'done', changes: { status: 'CONFIRMED' } };
    } catch (error) {
      // E.g. the reservation expired while a dependency was down: the stock is gone again,
      // so the order cannot be honoured. Retrying would never succeed; compensate instead.
      if (isRefusal(error)) return { cancel: 'reservation_expired', details: { ...error.details, code: error.code } };
      throw error;
    }
  }

  async #ship(row: OrderRow): Promise<StepResult> {
    try {
      const shipment = await this.deps.shipping.createShipment({
        orderId: row.id,
        userId: row.userId,
        address: row.shippingAddress,
        weightGrams: row.weightGrams,
        service: 'standard',
      });
      return { next: 'confirm', changes: { shipmentId: shipment.id } };
    } catch (error) {
      if (isRefusal(error)) return { cancel: 'shipping_refused', details: { ...error.details, code: error.code } };
      throw error;
    }
  }

  /** Undoes whatever the saga did; each call is idempotent, so all run whatever got done. */
  async #compensate(row: OrderRow): Promise<void> {
    await this.deps.shipping.cancelShipment({ orderId: row.id });
    await this.deps.payments.refundOrder({ orderId: row.id });
    await this.deps.inventory.release({ reservationId: row.id });
  }

  async #startCompensation(row: OrderRow, result: { cancel: string; details?: Record<string, unknown> }): Promise<OrderRow | undefined> {
    this.#cards.delete(row.id);
    this.logger.info({ orderId: row.id, reason: result.cancel, step: row.sagaStep }, 'checkout cancelled; compensating');
    return this.orders.advance(this.db, row.id, 'compensate', { cancellationReason: result.cancel, cancellationDetails: result.details ?? null }, this.runner);
  }

  /** Saves the step's outcome; the last step also publishes how the order ended, atomically. */
  async #advance(row: OrderRow, next: SagaStep, changes: StepChanges): Promise<OrderRow | undefined> {
    if (next !== 'done') return this.orders.advance(this.db, row.id, next, changes, this.runner);
    return this.db.transaction(async (tx) => {
      const done = await this.orders.advance(tx, row.id, 'done', changes, this.runner);
      if (!done) return undefined;
      if (done.status === 'CONFIRMED') {
        await this.events.publish(tx, 'OrderConfirmed', { orderId: done.id, userId: done.userId, totalCents: done.totalCents, currency: done.currency });
      } else {
        await this.events.publish(tx, 'OrderCancelled', { orderId: done.id, userId: done.userId, reason: done.cancellationReason ?? 'cancelled' });
      }
      this.logger.info({ orderId: done.id, status: done.status }, 'checkout finished');
      return done;
    });
  }

  async #postpone(row: OrderRow, error: unknown): Promise<void> {
    const delayMs = this.options.retryDelayMs(row.sagaAttempts + 1);
    this.logger.warn({ err: error, orderId: row.id, step: row.sagaStep, attempt: row.sagaAttempts + 1, delayMs }, 'checkout step failed; will retry');
    // Before the charge, only this process has the card: keep the saga here while it lives.
    const holdsCard = this.#cards.has(row.id) && (row.sagaStep === 'reserve' || row.sagaStep === 'charge');
    await this.orders.postpone(row.id, delayMs, this.runner, holdsCard);
  }
}
