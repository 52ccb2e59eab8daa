/**
 * @module Checkout as the orders service uses it: place an order and wait for its checkout,
 * wait for the checkout of an order placed before, cancel a confirmed order for its customer.
 *
 * Waiting in the request: a request waits for its order's checkout at most the deadline
 * (CHECKOUT_DEADLINE_MS), then answers with the order as it stands, PENDING included. It
 * neither polls nor runs steps itself: the driver of this process settles an order's waiters
 * when it ends that checkout (at once, after its own retries, or after the resumer here took
 * the order over), and a waiter whose order runs elsewhere reads the order at its deadline.
 * The run is detached from the caller's deadline and goes on after the answer.
 */
import { beyondDeadline } from '../../../kernel/call-context.js';
import { OutcomeUnknown } from '../../../kernel/errors.js';
import { isNoAnswer } from '../../../kernel/failures.js';
import type { NewOrder, OrderRepository, OrderRow } from '../order.repository.js';
import type { CancellationReason } from './cancellation.js';
import type { CardCustody, CardDetails } from './card-custody.js';
import type { CheckoutDriver } from './driver.js';
import type { Lease } from './lease.js';
import type { CheckoutWaiters } from './waiters.js';

export interface Checkout {
  /**
   * Inserts `order` leased to this process, with `card` in this process's custody, starts its
   * checkout and waits for it: the order as it then stands, or undefined (and nothing done)
   * when the user already used this idempotency key.
   */
  place(order: NewOrder, card: CardDetails): Promise<OrderRow | undefined>;
  /** The order once its checkout has ended, or as it stands at the deadline. */
  outcome(order: OrderRow): Promise<OrderRow>;
  /** Turns a confirmed order to compensation for its customer (unless it is already) and waits for it. */
  cancelForCustomer(order: OrderRow): Promise<OrderRow>;
}

export interface CheckoutParts {
  readonly orders: OrderRepository;
  readonly driver: CheckoutDriver;
  readonly waiters: CheckoutWaiters;
  readonly cards: CardCustody;
  readonly lease: Lease;
  /** How long a request waits for checkout before answering with the order as it stands. */
  readonly deadlineMs: number;
}

const byCustomer: CancellationReason = 'cancelled_by_customer';

/** True while a customer's cancellation of `order` is being compensated. */
export const isCancellingForCustomer = (order: OrderRow): boolean => order.sagaStep === 'compensate' && order.cancellationReason === byCustomer;

/**
 * A failure to learn how checkout went (the database or a dependency gone mid-way) once the
 * order exists: the order stands and its checkout goes on, so the honest answer is "outcome
 * unknown, retry with the same key", which then answers as the order ended. Answers pass unchanged.
 */
const orderExists = (orderId: string, error: unknown): never => {
  if (!isNoAnswer(error)) throw error;
  throw OutcomeUnknown.create('The order was taken but how checkout went is not known yet; retry with the same Idempotency-Key', { orderId }, { cause: error });
};

export const createCheckout = ({ orders, driver, waiters, cards, lease, deadlineMs }: CheckoutParts): Checkout => {
  /** Waits for the checkout of `orderId`; `start`, if given, runs it here once the waiter is in place. */
  const waitFor = async (orderId: string, start?: () => Promise<void>): Promise<OrderRow> => {
    try {
      const ended = waiters.wait(orderId, deadlineMs);
      // Free of the caller's deadline: the checkout outlives the call when it answers PENDING.
      if (start) void beyondDeadline(start);
      const order = (await ended) ?? (await orders.find(orderId));
      if (!order) throw new Error(`Order ${orderId} vanished`);
      return order;
    } catch (error) {
      return orderExists(orderId, error);
    }
  };

  return {
    place: async (order, card) => {
      // Held before the row exists, so a resumer here that sees the row finds the card too.
      cards.hold(order.id, card);
      const inserted = await orders.insertLeased(order, lease.owner, lease.seconds).catch((error: unknown) => {
        cards.release(order.id);
        throw error;
      });
      if (!inserted) {
        cards.release(order.id);
        return undefined;
      }
      return waitFor(inserted.id, () => driver.run(inserted.id, inserted));
    },
    outcome: async (order) => (order.sagaStep === 'done' ? order : waitFor(order.id)),
    cancelForCustomer: async (order) => {
      if (!isCancellingForCustomer(order)) await orders.beginCancellation(order.id, byCustomer);
      return waitFor(order.id, () => driver.run(order.id));
    },
  };
};
