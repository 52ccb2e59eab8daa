/**
 * @module The orders module's implementation of its contract: placing an order drives the
 * checkout saga until it ends or the deadline passes; reads are plain queries.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { beyondDeadline } from '../../kernel/call-context.js';
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import { OutcomeUnknown } from '../../kernel/errors.js';
import { isNoAnswer } from '../../kernel/failures.js';
import type { Dependencies } from '../../kernel/module.js';
import { isUuid } from '../../kernel/validation.js';
import type { catalogContract } from '../catalog/contract.js';
import type { shippingContract } from '../shipping/contract.js';
import type { CheckoutSaga } from './checkout-saga.js';
import {
  CheckoutFailed,
  IdempotencyKeyReused,
  OrderNotCancellable,
  OrderNotFound,
  OrderPaymentDeclined,
  OrderPaymentFailed,
  OutOfStock,
  type ordersContract,
  type OrdersApi,
  type Order,
} from './contract.js';
import { toOrder, type OrderRepository, type OrderRow } from './order.repository.js';
import { priceLines } from './pricing.js';

type Input<M extends keyof OrdersApi> = MethodInput<typeof ordersContract, M>;
type Output<M extends keyof OrdersApi> = Promise<MethodOutput<typeof ordersContract, M>>;

export type OrdersDeps = Dependencies<{ catalog: typeof catalogContract; shipping: typeof shippingContract }>;

/**
 * A digest of what was asked (not of prices, which may change), to recognise a retry. Built
 * from named fields in a fixed order, so the order of keys in a request cannot change it.
 */
const requestHash = (input: Input<'placeOrder'>): string => {
  const items = input.items.map((item) => [item.productId, item.quantity] as const).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
  const { name, line1, city, postalCode, country } = input.shippingAddress;
  const { cardNumber, expMonth, expYear } = input.payment;
  return createHash('sha256').update(JSON.stringify([items, [name, line1, city, postalCode, country], [cardNumber.slice(-4), expMonth, expYear]])).digest('base64url');
};

/**
 * Waits for `work` for at most `ms`; its failure, if it fails in time, is ours. A plain timer,
 * cleared once the work ends, so it does not outlive a saga that finished early: an aborted
 * `timers/promises` sleep would build an AbortError, stack trace and all, on every order.
 */
const runFor = <T>(work: Promise<T>, ms: number): Promise<T | undefined> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/**
 * A failure to learn how checkout went (the database or a dependency gone mid-way), once the
 * order exists: the order stands and its saga goes on, so the honest answer is "outcome unknown,
 * retry with the same key", which then replays the order as it ended. Answers pass unchanged.
 */
const orderExists = (orderId: string, error: unknown): never => {
  if (!isNoAnswer(error)) throw error;
  throw OutcomeUnknown.create('The order was taken but how checkout went is not known yet; retry with the same Idempotency-Key', { orderId }, { cause: error });
};

export class OrdersService implements OrdersApi {
  constructor(
    private readonly orders: OrderRepository,
    private readonly saga: CheckoutSaga,
    private readonly deps: OrdersDeps,
    /** How long placeOrder waits for checkout before answering PENDING. */
    private readonly deadlineMs: number,
  ) {}

  async placeOrder(input: Input<'placeOrder'>): Output<'placeOrder'> {
    const hash = requestHash(input);
    const existing = await this.orders.findByKey(input.userId, input.idempotencyKey);
    if (existing) return this.#replay(existing, hash);

    const { items: products } = await this.deps.catalog.getProductsByIds({ ids: [...new Set(input.items.map((item) => item.productId))] });
    const priced = priceLines(input.items, products);
    const { rates } = await this.deps.shipping.quoteRates({ country: input.shippingAddress.country, weightGrams: priced.weightGrams });
    const shippingCents = (rates.find((rate) => rate.service === 'standard') ?? rates[0])?.priceCents ?? 0;
    const id = randomUUID();
    // Held before the row exists, so a resumer that sees the row finds the card too.
    this.saga.holdCard(id, { number: input.payment.cardNumber, expMonth: input.payment.expMonth, expYear: input.payment.expYear, cvc: input.payment.cvc });
    const row = await this.orders.insertPending({
      id,
      userId: input.userId,
      idempotencyKey: input.idempotencyKey,
      requestHash: hash,
      items: priced.lines,
      itemsCents: priced.itemsCents,
      shippingCents,
      totalCents: priced.itemsCents + shippingCents,
      currency: priced.currency,
      weightGrams: priced.weightGrams,
      shippingAddress: input.shippingAddress,
    }, this.saga.runner).catch((error: unknown) => {
      this.saga.dropCard(id);
      throw error;
    });
    if (!row) {
      this.saga.dropCard(id);
      // Another request with the same key won the insert a moment ago.
      const winner = await this.orders.findByKey(input.userId, input.idempotencyKey);
      if (!winner) throw new Error('An order with this idempotency key vanished');
      return this.#replay(winner, hash);
    }
    return this.#outcome(await this.#drive(row.id, row).catch((error: unknown) => orderExists(row.id, error)));
  }

  async getOrder(input: Input<'getOrder'>): Output<'getOrder'> {
    return toOrder(await this.#own(input.userId, input.orderId));
  }

  async listOrders(input: Input<'listOrders'>): Output<'listOrders'> {
    return { items: (await this.orders.listForUser(input.userId, input.limit)).map(toOrder) };
  }

  async cancelOrder(input: Input<'cancelOrder'>): Output<'cancelOrder'> {
    const row = await this.#own(input.userId, input.orderId);
    if (row.status === 'CANCELLED') return toOrder(row);
    const customerCancelling = row.sagaStep === 'compensate' && row.cancellationReason === 'cancelled_by_customer';
    if (row.status === 'PENDING' || (row.sagaStep !== 'done' && !customerCancelling)) {
      throw OrderNotCancellable.create('The order is still being placed; try again in a moment', { orderId: row.id, status: row.status });
    }
    if (!customerCancelling) {
      try {
        await this.deps.shipping.cancelShipment({ orderId: row.id });
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'SHIPMENT_ALREADY_DISPATCHED') {
          throw OrderNotCancellable.create('The order has been dispatched and can no longer be cancelled', { orderId: row.id });
        }
        throw error;
      }
      await this.orders.beginCancellation(row.id, 'cancelled_by_customer');
    }
    const after = await this.#drive(row.id);
    if (after.status !== 'CANCELLED') throw OrderNotCancellable.create('The order could not be cancelled just now; try again', { orderId: row.id });
    return toOrder(after);
  }

  /**
   * Runs the saga until it is done or the deadline passes; the order as it then stands. `leased`:
   * the new order as its insert returned it, leased to this process's runner.
   */
  async #drive(orderId: string, leased?: OrderRow): Promise<OrderRow> {
    const deadline = Date.now() + this.deadlineMs;
    for (let first = true; ; first = false) {
      // A step that hangs must not hold the answer past the deadline; the saga runs on.
      // Free of the caller's deadline: the saga outlives this call when it answers PENDING.
      const finished = await runFor(
        beyondDeadline(() => this.saga.run(orderId, first ? leased : undefined)),
        deadline - Date.now(),
      );
      // A run that finished the saga returns the row it recorded last: no need to read it back.
      const row = finished ?? (await this.orders.find(orderId));
      if (!row) throw new Error(`Order ${orderId} vanished`);
      const left = deadline - Date.now();
      if (row.sagaStep === 'done' || left <= 0) return row;
      await sleep(Math.max(25, Math.min(left, row.sagaNextAt.getTime() - Date.now())));
    }
  }

  /** The same key again: the first order's answer, once its checkout has had its chance. */
  async #replay(existing: OrderRow, hash: string): Promise<Order> {
    if (existing.requestHash !== hash) {
      throw IdempotencyKeyReused.create('This idempotency key was already used for a different order', { orderId: existing.id });
    }
    return this.#outcome(existing.sagaStep === 'done' ? existing : await this.#drive(existing.id).catch((error: unknown) => orderExists(existing.id, error)));
  }

  /** How an order's state answers placeOrder: the order, or the error that ended it. */
  #outcome(row: OrderRow): Order {
    if (row.status !== 'CANCELLED' || row.cancellationReason === 'cancelled_by_customer') return toOrder(row);
    const details: Record<string, unknown> = row.cancellationDetails ?? {};
    switch (row.cancellationReason) {
      case 'out_of_stock':
        throw OutOfStock.create(`Not enough stock for ${String(details['productIds'] ?? 'some products')}`, { orderId: row.id, productIds: details['productIds'] ?? [] });
      case 'payment_declined':
      case 'card_invalid':
        throw OrderPaymentDeclined.create('The card was declined', { orderId: row.id, reason: details['reason'] ?? row.cancellationReason });
      case 'payment_failed':
        throw OrderPaymentFailed.create('The payment could not be processed; the order was cancelled', { orderId: row.id });
      default:
        throw CheckoutFailed.create(`The order was cancelled: ${row.cancellationReason ?? 'unknown reason'}`, { orderId: row.id, reason: row.cancellationReason });
    }
  }

  async #own(userId: string, orderId: string): Promise<OrderRow> {
    const row = isUuid(orderId) ? await this.orders.find(orderId) : undefined;
    if (!row || row.userId !== userId) throw OrderNotFound.create(`No order ${orderId}`, { orderId });
    return row;
  }
}
