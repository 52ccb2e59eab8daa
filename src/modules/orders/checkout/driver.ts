/**
 * @module The checkout driver: runs an order's checkout (the table in steps.ts) in this process
 * as far as it can go now, under the order's lease.
 *
 * A step's result is recorded on the order, only while this process holds the lease, before
 * the next step starts where the table says so (recordBeforeNext), otherwise with the next
 * record: a process that stops in between leaves the order at a step any process can take up
 * again, redoing what was not recorded, which every step allows. A step that
 * failed for a passing reason is postponed, with a delay that grows per attempt, and this
 * process retries it when due. Until the charge only this process has the card, so it keeps
 * the lease through the delay; after the charge it lets the lease go, and whichever comes
 * first, its own retry or any process's resumer, carries on.
 */
import type { Database } from '../../../kernel/database.js';
import type { EventPublisher } from '../../../kernel/events.js';
import { failpoint } from '../../../kernel/failpoint.js';
import type { Logger } from '../../../kernel/logger.js';
import { countCompensation, countSagaOutcome } from '../../../kernel/metrics.js';
import { inSpan } from '../../../kernel/tracing.js';
import type { ordersContract } from '../contract.js';
import type { OrderRepository, OrderRow, StepChanges } from '../order.repository.js';
import type { SagaStep } from '../schema.js';
import type { CardCustody } from './card-custody.js';
import type { Lease } from './lease.js';
import { compensate, needsCard, takeStep, type ActiveStep, type CheckoutDeps, type StepContext, type Transition } from './steps.js';
import type { CheckoutWaiters } from './waiters.js';

export interface CheckoutDriver {
  /**
   * Runs the checkout of `orderId` as far as it can go now: to its end (then its waiters get
   * the order), to a passing failure (then it is postponed), or not at all when another process
   * holds its lease. `inserted`: the order as this process's own insert returned it, already
   * holding this process's lease, so the run need not claim it. Never rejects: a failure to
   * record goes to the waiters.
   */
  run(orderId: string, inserted?: OrderRow): Promise<void>;
  /** Starts no further runs or retries; a run under way is not interrupted. */
  stop(): void;
}

export interface DriverOptions {
  readonly reservationTtlSeconds: number;
  readonly maxChargeAttempts: number;
  /** Delay before retry `attempt` (from 1) of a step that failed for a passing reason. */
  readonly retryDelayMs: (attempt: number) => number;
}

export interface DriverParts {
  readonly db: Database;
  readonly orders: OrderRepository;
  readonly deps: CheckoutDeps;
  readonly events: EventPublisher<typeof ordersContract>;
  readonly logger: Logger;
  readonly lease: Lease;
  readonly cards: CardCustody;
  readonly waiters: CheckoutWaiters;
}

/** Thrown inside a transaction to roll it back when the order's lease turned out to be another's. */
class LeaseLost extends Error {}

export const checkoutDriver = (parts: DriverParts, options: DriverOptions): CheckoutDriver => {
  const { db, orders, deps, events, logger, lease, cards, waiters } = parts;
  const context: StepContext = { deps, cards, reservationTtlSeconds: options.reservationTtlSeconds, maxChargeAttempts: options.maxChargeAttempts };
  /** Checkouts running in this process now: the lease keeps other processes out, this keeps us from running one twice. */
  const running = new Set<string>();
  const retryTimers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  /** Publishes how `ended` (as it is about to be recorded) ended, in `tx`. */
  const publishEnd = (tx: Database, ended: OrderRow): Promise<string> =>
    ended.status === 'CONFIRMED'
      ? events.publish(tx, 'OrderConfirmed', { orderId: ended.id, userId: ended.userId, totalCents: ended.totalCents, currency: ended.currency })
      : events.publish(tx, 'OrderCancelled', { orderId: ended.id, userId: ended.userId, reason: ended.cancellationReason ?? 'cancelled' });

  /** Records a step's result; the last step also publishes how the order ended, atomically. */
  const record = async (order: OrderRow, next: SagaStep, changes: StepChanges): Promise<OrderRow | undefined> => {
    if (next !== 'done') return orders.recordStep(db, order.id, next, changes, lease.owner, lease.seconds);
    const done = await db
      .transaction(async (tx) => {
        // The event says nothing the order does not already hold, so the two statements are sent
        // together rather than one after the other. Without the lease the order's update matches
        // no row, and the event goes with the transaction's rollback.
        const [recorded] = await Promise.all([orders.recordStep(tx, order.id, 'done', changes, lease.owner, lease.seconds), publishEnd(tx, { ...order, ...changes })]);
        if (!recorded) throw new LeaseLost();
        return recorded;
      })
      .catch((error: unknown) => {
        if (error instanceof LeaseLost) return undefined;
        throw error;
      });
    if (done) {
      logger.info({ orderId: done.id, status: done.status }, 'checkout finished');
      countSagaOutcome('checkout', done.status === 'CONFIRMED' ? 'confirmed' : 'cancelled');
    }
    return done;
  };

  const startCompensating = (order: OrderRow, unrecorded: StepChanges, { reason, details }: Extract<Transition, { kind: 'cancel' }>): Promise<OrderRow | undefined> => {
    logger.info({ orderId: order.id, reason, step: order.sagaStep }, 'checkout cancelled; compensating');
    countCompensation('checkout', order.sagaStep);
    const changes = { ...unrecorded, cancellationReason: reason, cancellationDetails: details ?? null };
    return orders.recordStep(db, order.id, 'compensate', changes, lease.owner, lease.seconds);
  };

  const retryLater = (orderId: string, delayMs: number): void => {
    if (stopped) return;
    clearTimeout(retryTimers.get(orderId));
    const timer = setTimeout(() => {
      retryTimers.delete(orderId);
      void run(orderId);
    }, delayMs);
    // A pending retry must not keep the process alive: the resumer of the next one carries on.
    timer.unref();
    retryTimers.set(orderId, timer);
  };

  /** Postpones the step `order` is at, recording that step and what was not recorded before it. */
  const postpone = async (order: OrderRow, unrecorded: StepChanges, error: unknown): Promise<void> => {
    const attempt = order.sagaAttempts + 1;
    const delayMs = options.retryDelayMs(attempt);
    logger.warn({ err: error, orderId: order.id, step: order.sagaStep, attempt, delayMs }, 'checkout step failed; will retry');
    const holdsCard = cards.cardFor(order.id) !== undefined && needsCard(order.sagaStep);
    await orders.postpone(order.id, lease.owner, { step: order.sagaStep, changes: unrecorded, attempts: attempt }, delayMs, holdsCard ? lease.seconds : undefined);
    retryLater(order.id, delayMs);
  };

  /**
   * Our lease lapsed mid-step and another process took over, so our step's effect was not
   * recorded. If the order is being or was cancelled, what we just did (a charge, a shipment,
   * a reservation) may have escaped its compensation: undo it, idempotently, once more.
   */
  const lostLease = async (order: OrderRow): Promise<void> => {
    cards.release(order.id);
    const current = await orders.find(order.id);
    logger.warn({ orderId: order.id, step: order.sagaStep, now: current?.sagaStep }, 'checkout lease lost to another process');
    if (current && (current.status === 'CANCELLED' || current.sagaStep === 'compensate')) await compensate(current, deps);
  };

  /** Takes `step` in a span of its own: the saga's progress in the order's trace, a compensation marked as one. */
  const stepInSpan = (step: ActiveStep, order: OrderRow): Promise<Transition> =>
    inSpan(`checkout ${step}`, { attributes: { 'seam.order.id': order.id, 'seam.saga.name': 'checkout', 'seam.saga.step': step, 'seam.saga.compensation': step === 'compensate', 'seam.saga.attempt': order.sagaAttempts + 1 } }, async (span) => {
      const transition = await takeStep(step, order, context);
      span.setAttribute('seam.saga.transition', transition.kind);
      return transition;
    });

  /** The order as this run ended its checkout; undefined when it stopped short of the end. */
  const runUnderLease = async (orderId: string, inserted: OrderRow | undefined): Promise<OrderRow | undefined> => {
    let order = inserted ?? (await orders.claim(orderId, lease.owner, lease.seconds));
    /** What steps taken since the order's last record changed on it; written with the next record. */
    let unrecorded: StepChanges = {};
    while (order) {
      const step = order.sagaStep;
      if (step === 'done') return order;
      const transition = await stepInSpan(step, order);
      if (transition.kind === 'retry') {
        await postpone(order, unrecorded, transition.error);
        return undefined;
      }
      if (transition.kind === 'advance' && !transition.recordNow) {
        unrecorded = { ...unrecorded, ...transition.record };
        order = { ...order, ...transition.record, sagaStep: transition.to, sagaAttempts: 0 };
      } else {
        const next =
          transition.kind === 'cancel' ? await startCompensating(order, unrecorded, transition) : await record(order, transition.to, { ...unrecorded, ...transition.record });
        if (!next) {
          await lostLease(order);
          return undefined;
        }
        unrecorded = {};
        order = next;
      }
      if (!needsCard(order.sagaStep)) cards.release(order.id);
      if (order.sagaStep === 'ship') failpoint('orders.checkout.after-charge');
    }
    return undefined;
  };

  const run = async (orderId: string, inserted?: OrderRow): Promise<void> => {
    if (stopped || running.has(orderId)) return;
    running.add(orderId);
    try {
      const ended = await runUnderLease(orderId, inserted);
      if (ended) waiters.settle(ended);
    } catch (error) {
      // The database (or a dependency, while undoing after a lost lease) failed us mid-run:
      // the order keeps its state, and the resumer carries on once it is due.
      logger.warn({ err: error, orderId }, 'checkout could not record its progress; it resumes when due');
      waiters.fail(orderId, error);
    } finally {
      running.delete(orderId);
    }
  };

  return {
    run,
    stop: () => {
      stopped = true;
      for (const timer of retryTimers.values()) clearTimeout(timer);
      retryTimers.clear();
    },
  };
};
