/**
 * @module Placing an order in the plain shop, in ONE transaction: the idempotency-key lookup,
 * the products read, stock taken line by line with a guard (`stock >= n`, in product order so
 * concurrent orders lock rows in the same order), the card charged by the same in-memory
 * processor the Seam shop uses, then the order, payment, shipment and notification rows. A
 * refusal (stock short, card declined) rolls all of it back. What it does not have is what
 * Seam's design buys: a crash between the charge and the commit loses the order but not the
 * charge, nothing resumes, and every table lives in one schema of one database.
 */
import { createHash, randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { orderConfirmed } from '../../../src/modules/notifications/messages.js';
import type { Order } from '../../../src/modules/orders/contract.js';
import { cardBrand, cardIssues, cardLast4 } from '../../../src/modules/payments/card.js';
import { SimulatedCardProcessor } from '../../../src/modules/payments/simulated-card-processor.js';
import { quote } from '../../../src/modules/shipping/rates.js';
import type { FieldProblem, OrderBody } from './order-body.js';

/** An answer other than the order: an HTTP status, a stable code, and what was wrong. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors?: readonly FieldProblem[];
}

export type Placement = { readonly order: Order } | { readonly refusal: Refusal };

export type PlaceOrder = (userId: string, idempotencyKey: string, body: OrderBody) => Promise<Placement>;

/** Thrown inside the transaction to roll it back and answer with `refusal`. */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.detail);
  }
}

/** Another request with the same key committed its order first: roll back and answer as it did. */
class KeyTaken extends Error {}

interface ProductRow {
  id: string;
  name: string;
  price_cents: number;
  currency: string;
  weight_grams: number;
}

interface OrderRow {
  id: string;
  user_id: string;
  request_hash: string;
  status: Order['status'];
  items: Order['items'];
  items_cents: number;
  shipping_cents: number;
  total_cents: number;
  currency: string;
  shipping_address: Order['shippingAddress'];
  payment_last4: string | null;
  shipment_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toOrder = (row: OrderRow): Order => ({
  id: row.id,
  userId: row.user_id,
  status: row.status,
  items: row.items,
  itemsCents: row.items_cents,
  shippingCents: row.shipping_cents,
  totalCents: row.total_cents,
  currency: row.currency,
  shippingAddress: row.shipping_address,
  shipmentId: row.shipment_id,
  paymentLast4: row.payment_last4,
  cancellationReason: null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** What was asked, not the prices, as the Seam shop digests it to recognise a retry. */
const requestHash = (body: OrderBody): string => {
  const items = body.items.map((item) => [item.productId, item.quantity] as const).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
  const { name, line1, city, postalCode, country } = body.shippingAddress;
  const { cardNumber, expMonth, expYear } = body.payment;
  return createHash('sha256').update(JSON.stringify([items, [name, line1, city, postalCode, country], [cardNumber.slice(-4), expMonth, expYear]])).digest('base64url');
};

const replay = (existing: OrderRow, hash: string): Placement =>
  existing.request_hash === hash
    ? { order: toOrder(existing) }
    : { refusal: { status: 422, code: 'IDEMPOTENCY_KEY_REUSED', detail: 'This idempotency key was already used for a different order' } };

/** The body's name for a field of the payments module's card (`card.number` is `payment.cardNumber`). */
const bodyField = (cardField: string): string => (cardField === 'card.number' ? 'payment.cardNumber' : cardField.replace(/^card\./, 'payment.'));

/** One line per product, quantities summed, in product order. */
const linesOf = (body: OrderBody): { productId: string; quantity: number }[] => {
  const quantities = new Map<string, number>();
  for (const item of body.items) quantities.set(item.productId, (quantities.get(item.productId) ?? 0) + item.quantity);
  return [...quantities].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
};

const selectOrder = (sql: postgres.Sql | postgres.TransactionSql, userId: string, idempotencyKey: string) =>
  sql<OrderRow[]>`select id, user_id, request_hash, status, items, items_cents, shipping_cents, total_cents, currency, shipping_address,
    payment_last4, shipment_id, created_at, updated_at from orders where user_id = ${userId} and idempotency_key = ${idempotencyKey}`;

/** The shipping price as the Seam shop quotes it, or the refusal for a country or weight it does not ship. */
const shippingCents = (country: string, weightGrams: number): number => {
  try {
    return quote(country, weightGrams).find((rate) => rate.service === 'standard')?.priceCents ?? 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Refused({ status: 422, code: typeof code === 'string' ? code : 'NOT_SHIPPABLE', detail: error instanceof Error ? error.message : 'cannot ship this order' });
  }
};

export const plainPlaceOrder = (sql: postgres.Sql): PlaceOrder => {
  const processor = new SimulatedCardProcessor();

  const inTransaction = async (tx: postgres.TransactionSql, userId: string, idempotencyKey: string, body: OrderBody, hash: string): Promise<Placement> => {
    const [existing] = await selectOrder(tx, userId, idempotencyKey);
    if (existing) return replay(existing, hash);

    const lines = linesOf(body);
    const ids = lines.map((line) => line.productId).filter((id) => uuid.test(id));
    const products = ids.length === 0 ? [] : await tx<ProductRow[]>`select id, name, price_cents, currency, weight_grams from products where id = any(${ids}::uuid[])`;
    const byId = new Map(products.map((product) => [product.id, product]));
    const unknown = lines.filter((line) => !byId.has(line.productId)).map((line) => line.productId);
    if (unknown.length > 0) throw new Refused({ status: 422, code: 'UNKNOWN_PRODUCT', detail: `No product with id ${unknown.join(', ')}` });
    const currencies = new Set(products.map((product) => product.currency));
    if (currencies.size > 1) throw new Refused({ status: 422, code: 'MIXED_CURRENCIES', detail: 'The products are priced in different currencies' });
    const items = lines.map(({ productId, quantity }) => {
      const product = byId.get(productId)!;
      return { productId, name: product.name, quantity, unitPriceCents: product.price_cents, lineTotalCents: product.price_cents * quantity };
    });
    const itemsCents = items.reduce((sum, line) => sum + line.lineTotalCents, 0);
    const weightGrams = lines.reduce((sum, line) => sum + byId.get(line.productId)!.weight_grams * line.quantity, 0);
    const shipping = shippingCents(body.shippingAddress.country, weightGrams);
    const totalCents = itemsCents + shipping;
    const currency = [...currencies][0] ?? 'EUR';

    const short: string[] = [];
    for (const line of lines) {
      const taken = await tx`update products set stock = stock - ${line.quantity}, updated_at = now() where id = ${line.productId} and stock >= ${line.quantity} returning id`;
      if (taken.length === 0) short.push(line.productId);
    }
    if (short.length > 0) throw new Refused({ status: 409, code: 'OUT_OF_STOCK', detail: `Not enough stock for ${short.join(', ')}` });

    const orderId = randomUUID();
    const paymentId = randomUUID();
    const card = { number: body.payment.cardNumber, expMonth: body.payment.expMonth, expYear: body.payment.expYear, cvc: body.payment.cvc };
    const charge = await processor.charge({ reference: paymentId, amountCents: totalCents, currency, card });
    if (charge.outcome === 'declined') throw new Refused({ status: 402, code: 'PAYMENT_DECLINED', detail: `The card was declined (${charge.reason})` });
    if (charge.outcome === 'failed') throw new Refused({ status: 503, code: 'PAYMENT_FAILED', detail: 'The payment could not be processed; try again later' });

    const now = new Date();
    const last4 = cardLast4(card.number);
    const shipmentId = randomUUID();
    const inserted = await tx`insert into orders (id, user_id, idempotency_key, request_hash, status, items, items_cents, shipping_cents, total_cents,
        currency, weight_grams, shipping_address, payment_last4, shipment_id, created_at, updated_at)
      values (${orderId}, ${userId}, ${idempotencyKey}, ${hash}, 'CONFIRMED', ${tx.json(items)}, ${itemsCents}, ${shipping}, ${totalCents},
        ${currency}, ${weightGrams}, ${tx.json(body.shippingAddress)}, ${last4}, ${shipmentId}, ${now}, ${now})
      on conflict (user_id, idempotency_key) do nothing returning id`;
    if (inserted.length === 0) throw new KeyTaken();
    await tx`insert into payments (id, order_id, amount_cents, currency, status, last4, brand, processor_ref)
      values (${paymentId}, ${orderId}, ${totalCents}, ${currency}, 'CAPTURED', ${last4}, ${cardBrand(card.number)}, ${charge.processorRef})`;
    await tx`insert into shipments (id, order_id, status, service, tracking_number, address, weight_grams)
      values (${shipmentId}, ${orderId}, 'CREATED', 'standard', ${`SM${randomUUID().slice(-12).toUpperCase()}`}, ${tx.json(body.shippingAddress)}, ${weightGrams})`;
    const note = orderConfirmed({ orderId, userId, totalCents, currency });
    await tx`insert into notifications (id, user_id, kind, title, body) values (${randomUUID()}, ${userId}, ${note.kind}, ${note.title}, ${note.body})`;
    return {
      order: {
        id: orderId,
        userId,
        status: 'CONFIRMED',
        items,
        itemsCents,
        shippingCents: shipping,
        totalCents,
        currency,
        shippingAddress: body.shippingAddress,
        shipmentId,
        paymentLast4: last4,
        cancellationReason: null,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      },
    };
  };

  return async (userId, idempotencyKey, body) => {
    const card = { number: body.payment.cardNumber, expMonth: body.payment.expMonth, expYear: body.payment.expYear, cvc: body.payment.cvc };
    const issues = cardIssues(card, new Date()).map((issue) => ({ field: bodyField(issue.field), message: issue.message }));
    if (issues.length > 0) return { refusal: { status: 400, code: 'CARD_INVALID', detail: 'The card is not valid', errors: issues } };
    const hash = requestHash(body);
    try {
      return await sql.begin((tx) => inTransaction(tx, userId, idempotencyKey, body, hash));
    } catch (error) {
      if (error instanceof Refused) return { refusal: error.refusal };
      if (!(error instanceof KeyTaken)) throw error;
      const [winner] = await selectOrder(sql, userId, idempotencyKey);
      if (!winner) throw new Error('an order with this idempotency key vanished', { cause: error });
      return replay(winner, hash);
    }
  };
};
