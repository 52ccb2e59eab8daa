/**
 * @module The orders module's implementation of its contract: placing an order validates and
 * prices it, then hands it to checkout (checkout/) and answers as checkout leaves it; reads
 * are plain queries.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import type { Dependencies } from '../../kernel/module.js';
import { isUuid } from '../../kernel/validation.js';
import type { catalogContract } from '../catalog/contract.js';
import { ShipmentAlreadyDispatched, type shippingContract } from '../shipping/contract.js';
import { cancellationError } from './checkout/cancellation.js';
import { isCancellingForCustomer, type Checkout } from './checkout/checkout.js';
import { IdempotencyKeyReused, OrderNotCancellable, OrderNotFound, type ordersContract, type OrdersApi, type Order } from './contract.js';
import { toOrder, type OrderRepository, type OrderRow } from './order.repository.js';
import { priceLines, type PricedOrder } from './pricing.js';

type Input<M extends keyof OrdersApi> = MethodInput<typeof ordersContract, M>;
type Output<M extends keyof OrdersApi> = Promise<MethodOutput<typeof ordersContract, M>>;

interface Quote {
  readonly priced: PricedOrder;
  readonly shippingCents: number;
}

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

/** How an order answers placeOrder: the order, or the error its checkout was cancelled with. */
const placeOrderAnswer = (order: OrderRow): Order => {
  const error = cancellationError(order);
  if (error) throw error;
  return toOrder(order);
};

export class OrdersService implements OrdersApi {
  constructor(
    private readonly orders: OrderRepository,
    private readonly checkout: Checkout,
    private readonly deps: OrdersDeps,
  ) {}

  async placeOrder(input: Input<'placeOrder'>): Output<'placeOrder'> {
    const hash = requestHash(input);
    // The key is not looked up first: a repeat is rare, and the insert finds it anyway (it
    // conflicts on the key), so a new order spares a statement. Pricing only reads, so a
    // repeat that prices again changes nothing.
    let quote: Quote;
    try {
      quote = await this.#quote(input);
    } catch (error) {
      // Products or rates that changed since the first request must not hide its answer.
      const first = await this.orders.findByKey(input.userId, input.idempotencyKey);
      if (first) return this.#replay(first, hash);
      throw error;
    }
    const { priced, shippingCents } = quote;
    const placed = await this.checkout.place(
      {
        id: randomUUID(),
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
      },
      { number: input.payment.cardNumber, expMonth: input.payment.expMonth, expYear: input.payment.expYear, cvc: input.payment.cvc },
    );
    if (placed) return placeOrderAnswer(placed);
    // The key was taken: by this request made before, or by a concurrent one that won the insert.
    const first = await this.orders.findByKey(input.userId, input.idempotencyKey);
    if (!first) throw new Error('An order with this idempotency key vanished');
    return this.#replay(first, hash);
  }

  /** The order's lines priced from the catalog, and its standard shipping rate. */
  async #quote(input: Input<'placeOrder'>): Promise<Quote> {
    const { items: products } = await this.deps.catalog.getProductsByIds({ ids: [...new Set(input.items.map((item) => item.productId))] });
    const priced = priceLines(input.items, products);
    const { rates } = await this.deps.shipping.quoteRates({ country: input.shippingAddress.country, weightGrams: priced.weightGrams });
    return { priced, shippingCents: (rates.find((rate) => rate.service === 'standard') ?? rates[0])?.priceCents ?? 0 };
  }

  async getOrder(input: Input<'getOrder'>): Output<'getOrder'> {
    return toOrder(await this.#ownedOrder(input.userId, input.orderId));
  }

  async listOrders(input: Input<'listOrders'>): Output<'listOrders'> {
    return { items: (await this.orders.listForUser(input.userId, input.limit)).map(toOrder) };
  }

  async cancelOrder(input: Input<'cancelOrder'>): Output<'cancelOrder'> {
    const order = await this.#ownedOrder(input.userId, input.orderId);
    if (order.status === 'CANCELLED') return toOrder(order);
    const cancelling = isCancellingForCustomer(order);
    if (order.status === 'PENDING' || (order.sagaStep !== 'done' && !cancelling)) {
      throw OrderNotCancellable.create('The order is still being placed; try again in a moment', { orderId: order.id, status: order.status });
    }
    if (!cancelling) {
      // Of everything cancelling undoes, only the shipment can refuse (once dispatched): it
      // goes first, so that a refusal leaves the order as it was.
      await this.deps.shipping.cancelShipment({ orderId: order.id }).catch((error: unknown) => {
        if (ShipmentAlreadyDispatched.is(error)) throw OrderNotCancellable.create('The order has been dispatched and can no longer be cancelled', { orderId: order.id });
        throw error;
      });
    }
    const after = await this.checkout.cancelForCustomer(order);
    if (after.status !== 'CANCELLED') throw OrderNotCancellable.create('The order could not be cancelled just now; try again', { orderId: order.id });
    return toOrder(after);
  }

  /** The same key again: the first order's answer, once its checkout has had its chance. */
  async #replay(existing: OrderRow, hash: string): Promise<Order> {
    if (existing.requestHash !== hash) {
      throw IdempotencyKeyReused.create('This idempotency key was already used for a different order', { orderId: existing.id });
    }
    return placeOrderAnswer(await this.checkout.outcome(existing));
  }

  async #ownedOrder(userId: string, orderId: string): Promise<OrderRow> {
    const order = isUuid(orderId) ? await this.orders.find(orderId) : undefined;
    if (!order || order.userId !== userId) throw OrderNotFound.create(`No order ${orderId}`, { orderId });
    return order;
  }
}
