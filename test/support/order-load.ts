/**
 * @module A bounded order load for fault tests: customers place orders one after another (one
 * worker each) until told to stop or a count is reached; every answer is kept with its key, so
 * a test can retry what failed with the same Idempotency-Key and check how each order ended
 * against the database.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { orderBody, type ShopClient } from './shop-client.js';

export interface OrderAnswer {
  readonly key: string;
  readonly customer: ShopClient;
  readonly status: number;
  readonly code: string | undefined;
  readonly retryAfter: string | null;
  readonly orderId: string | undefined;
  readonly orderStatus: string | undefined;
}

interface Body {
  id?: string;
  status?: string | number;
  code?: string;
}

/** An answer in a line, for assertion messages: `503 OUTCOME_UNKNOWN (retry-after 1) key`. */
export const shown = (answer: OrderAnswer): string =>
  `${answer.status} ${answer.code ?? answer.orderStatus ?? ''}${answer.retryAfter === null ? '' : ` (retry-after ${answer.retryAfter})`} ${answer.key}`;

/** Places one order for `productId` under `key`; a connection the server dropped is status 0. */
export const placeOrder = async (customer: ShopClient, productId: string, key: string): Promise<OrderAnswer> => {
  const reply = await customer.post<Body>('/orders', orderBody([{ productId, quantity: 1 }]), { 'idempotency-key': key }).catch(() => undefined);
  const body = reply?.body ?? {};
  return {
    key,
    customer,
    status: reply?.status ?? 0,
    code: body.code,
    retryAfter: reply?.headers.get('retry-after') ?? null,
    orderId: typeof body.id === 'string' ? body.id : undefined,
    orderStatus: typeof body.status === 'string' ? body.status : undefined,
  };
};

export interface OrderLoad {
  /** Answers so far (first attempts only). */
  readonly answers: readonly OrderAnswer[];
  /** Resolves once every worker has stopped. */
  readonly done: Promise<void>;
  stop(): void;
}

export interface OrderLoadOptions {
  /**
   * After a 503, wait the Retry-After it names before the next order, as a well-behaved client
   * does. Without it a worker goes on at once, and an outage of a few seconds piles up hundreds
   * of answers that all say the same (and all have to be settled afterwards).
   */
  readonly honourRetryAfter?: boolean;
}

/** Starts one worker per customer, each placing at most `perCustomer` orders, until stopped. */
export const startOrderLoad = (customers: readonly ShopClient[], productId: string, perCustomer: number, options: OrderLoadOptions = {}): OrderLoad => {
  const answers: OrderAnswer[] = [];
  const stopping = new AbortController();
  const worker = async (customer: ShopClient): Promise<void> => {
    for (let placed = 0; placed < perCustomer && !stopping.signal.aborted; placed += 1) {
      const answer = await placeOrder(customer, productId, randomUUID());
      answers.push(answer);
      if (options.honourRetryAfter && answer.status === 503 && answer.retryAfter !== null) {
        await sleep(Number(answer.retryAfter) * 1000, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  };
  const done = Promise.all(customers.map(worker)).then(() => undefined);
  return {
    answers,
    done,
    stop: () => stopping.abort(),
  };
};

/** Waits until `load` has `count` answers (or its workers are done); a load that stalls fails after `timeoutMs`. */
export const answersReach = async (load: OrderLoad, count: number, timeoutMs = 120_000): Promise<void> => {
  let finished = false;
  void load.done.then(() => (finished = true));
  const deadline = Date.now() + timeoutMs;
  while (load.answers.length < count && !finished) {
    if (Date.now() > deadline) throw new Error(`The order load stalled: ${load.answers.length} of ${count} answers after ${timeoutMs} ms`);
    await sleep(20);
  }
};

/** Codes that mean "no answer yet: try again with the same key". */
const unsettled = new Set(['OUTCOME_UNKNOWN', 'SERVICE_UNAVAILABLE', 'REMOTE_CALL_FAILED']);

/**
 * The same order again, with the same key, until the shop says how it ended: retried while the
 * answer is a retryable 503 or the connection dropped (waiting Retry-After), polled while PENDING.
 * The default window allows a step postponed by the longest retry delay (30 s) to be retried
 * twice more after the database is back.
 */
export const settle = async (first: OrderAnswer, productId: string, timeoutMs = 120_000): Promise<OrderAnswer> => {
  const deadline = Date.now() + timeoutMs;
  let answer = first;
  while ((answer.status === 0 || unsettled.has(answer.code ?? '') || answer.orderStatus === 'PENDING') && Date.now() < deadline) {
    await sleep(answer.retryAfter === null ? 250 : Number(answer.retryAfter) * 1000);
    answer = await placeOrder(first.customer, productId, first.key);
  }
  return answer;
};

export interface OrderTruth {
  readonly idempotencyKey: string;
  readonly id: string;
  readonly status: string;
  readonly sagaStep: string;
  /** Payment status, if a payment exists. */
  readonly payment: string | null;
  /** Reservation status, if one exists. */
  readonly reservation: string | null;
  /** Failed attempts at the current step, when the next is due, and who holds the lease: why an order is still pending. */
  readonly attempts: number;
  readonly nextAt: string;
  readonly owner: string | null;
}

/** How every order of `productId` stands in the database (`url`: a role that may read every schema). */
export const ordersInDatabase = async (url: string, productId: string): Promise<{ orders: OrderTruth[]; available: number }> => {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const orders = await sql<OrderTruth[]>`
      select o.idempotency_key as "idempotencyKey", o.id, o.status, o.saga_step as "sagaStep", p.status as payment, r.status as reservation,
        o.saga_attempts as attempts, o.saga_next_at::text as "nextAt", o.saga_owner as owner
      from orders.orders o
      left join payments.payments p on p.order_id = o.id::text
      left join inventory.reservations r on r.id = o.id::text
      where o.items @> ${sql.json([{ productId }])}`;
    const [stock] = await sql<{ available: number }[]>`select available from inventory.stock_levels where product_id = ${productId}`;
    return { orders, available: stock?.available ?? Number.NaN };
  } finally {
    await sql.end();
  }
};

/**
 * What must hold once every saga has ended: a confirmed order was charged once and its stock
 * taken; a cancelled one was not charged (or refunded) and its stock given back; the stock is
 * what the confirmed orders left. Returns the orders that break it (empty when all is well).
 */
export const inconsistencies = (truth: { orders: readonly OrderTruth[]; available: number }, initialStock: number): string[] => {
  const problems: string[] = [];
  for (const order of truth.orders) {
    if (order.sagaStep !== 'done') problems.push(`${order.id}: saga not finished (${order.sagaStep})`);
    if (order.status === 'CONFIRMED' && (order.payment !== 'CAPTURED' || order.reservation !== 'COMMITTED')) {
      problems.push(`${order.id}: CONFIRMED with payment ${order.payment} and reservation ${order.reservation}`);
    }
    if (order.status === 'CANCELLED' && (['CAPTURED', 'PROCESSING', 'REFUNDING'].includes(order.payment ?? '') || order.reservation === 'RESERVED' || order.reservation === 'COMMITTED')) {
      problems.push(`${order.id}: CANCELLED with payment ${order.payment} and reservation ${order.reservation}`);
    }
  }
  const confirmed = truth.orders.filter((order) => order.status === 'CONFIRMED').length;
  if (truth.available !== initialStock - confirmed) problems.push(`stock ${truth.available}, expected ${initialStock} - ${confirmed} confirmed`);
  return problems;
};
