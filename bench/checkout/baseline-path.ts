/**
 * @module The baseline path: one order as OrdersService.placeOrder and the checkout saga
 * place it, the same statements in the same transactions and order, with postgres.js
 * directly: no HTTP, no framework.
 */
import { createHash, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { formatTraceparent, newSpanId, newTraceId } from '../../src/kernel/call-context.js';
import { quote } from '../../src/modules/shipping/rates.js';
import { orderBody, testCards } from '../../test/support/shop-client.js';
import { linesOf } from './order-lines.js';
import { paymentLeaseSeconds, poolSize, reservationTtlSeconds, sagaLeaseSeconds } from './parameters.js';
import { statements } from './statements.js';

/** What the baseline runs per order, for the report. */
export const baselineDescription = [
  'baseline = the synchronous request path of one order, same statements, same transactions, same order:',
  '  idempotency-key lookup; product lookup; insert order (leased to the saga runner);',
  '  tx[lock reservation, take stock per line, insert reservation]; saga step update;',
  '  tx[insert payment, insert attempt]; tx[payment captured, attempt captured]; saga step update;',
  '  tx[insert shipment, insert tracking event, read tracking history]; saga step update;',
  '  tx[lock reservation, commit reservation]; tx[order CONFIRMED, outbox row];',
  '  after the answer, OrderConfirmed delivered to notifications as the shop\'s outbox relay does it',
  '  (bench/checkout/baseline-relay.ts: batch claim, tx[inbox, notification], batch mark, 4 in flight).',
  '  Not in it: HTTP, JWT check, validation, the in-memory card processor call. It runs in a database',
  `  of its own on the same server, with the same pool size (${poolSize}) and the same number in flight.`,
];

export type Sql = ReturnType<typeof postgres>;
/** postgres.js serialises objects and arrays to JSON, as drizzle does for jsonb columns. */
type Param = string | number | Date | null | readonly unknown[] | Readonly<Record<string, unknown>>;

interface ProductRow {
  id: string;
  name: string;
  price_cents: number;
  currency: string;
  weight_grams: number;
}

const shippingAddress = orderBody([]).shippingAddress;

/** The baseline's stand-in for the saga runner that owns its orders' leases. */
const runnerId = randomUUID();

/**
 * One order through the baseline; `prepare: false` sends the statements unnamed, as drizzle
 * does by default. `onPublished` hears of each event written, as the shop's relay does.
 */
export const baselineOrder =
  (sql: Sql, userId: string, productIds: readonly string[], runId: string, prepare: boolean, onPublished: () => void = () => undefined) =>
  async (index: number): Promise<void> => {
  const run = <T extends readonly unknown[] = Record<string, unknown>[]>(db: Sql | postgres.TransactionSql, text: string, params: Param[]) =>
    db.unsafe(text, params as never[], { prepare }) as unknown as Promise<T>;
  const one = <T>(rows: readonly T[], what: string): T => {
    if (rows.length !== 1) throw new Error(`${what}: expected one row, got ${rows.length}`);
    return rows[0]!;
  };

  const requested = linesOf(productIds, index);
  const idempotencyKey = `baseline-${runId}-${index}`;
  const card = orderBody([], testCards.good).payment;
  // The idempotency digest, as the orders module makes it: what was asked, not the prices.
  const items = requested.map((line) => [line.productId, line.quantity] as const).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
  const { name, line1, city, postalCode, country } = shippingAddress;
  const requestHash = createHash('sha256')
    .update(JSON.stringify([items, [name, line1, city, postalCode, country], [card.cardNumber.slice(-4), card.expMonth, card.expYear]]))
    .digest('base64url');

  const existing = await run(sql, statements.findOrderByKey, [userId, idempotencyKey]);
  if (existing.length > 0) throw new Error('idempotency key already used');
  const ids = [...new Set(requested.map((line) => line.productId))];
  const products = await run<ProductRow[]>(sql, statements.productsByIds, [ids]);
  const byId = new Map(products.map((product) => [product.id, product]));
  const lines = requested.map(({ productId, quantity }) => {
    const product = byId.get(productId);
    if (!product) throw new Error(`unknown product ${productId}`);
    return { productId, name: product.name, quantity, unitPriceCents: product.price_cents, lineTotalCents: product.price_cents * quantity };
  });
  const itemsCents = lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
  const weightGrams = requested.reduce((sum, line) => sum + byId.get(line.productId)!.weight_grams * line.quantity, 0);
  const currency = products[0]?.currency ?? 'EUR';
  const shippingCents = quote(shippingAddress.country, weightGrams).find((rate) => rate.service === 'standard')?.priceCents ?? 0;
  const totalCents = itemsCents + shippingCents;
  const orderId = randomUUID();

  one(
    await run(sql, statements.insertOrder, [
      orderId, userId, idempotencyKey, requestHash, 'PENDING', lines, itemsCents, shippingCents, totalCents, currency, weightGrams, shippingAddress, 'reserve',
      sagaLeaseSeconds, runnerId,
    ]),
    'insert order',
  );

  // reserve: all lines or none, in product order
  const reserved = [...lines].map(({ productId, quantity }) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
  await sql.begin(async (tx) => {
    if ((await run(tx, statements.lockReservation, [orderId])).length > 0) throw new Error('reservation exists');
    for (const line of reserved) one(await run(tx, statements.takeStock, [line.quantity, new Date(), line.productId, line.quantity]), 'take stock');
    one(await run(tx, statements.insertReservation, [orderId, 'RESERVED', reserved, new Date(Date.now() + reservationTtlSeconds * 1000)]), 'insert reservation');
  });
  one(await run(sql, statements.advanceToCharge, ['charge', 0, sagaLeaseSeconds, runnerId, orderId, runnerId]), 'advance to charge');

  // charge: claim the payment, (the card processor, skipped), record the capture
  const paymentId = randomUUID();
  const attemptId = randomUUID();
  const last4 = card.cardNumber.slice(-4);
  await sql.begin(async (tx) => {
    one(await run(tx, statements.insertPayment, [paymentId, orderId, userId, totalCents, currency, 'PROCESSING', last4, 'visa', attemptId, paymentLeaseSeconds]), 'insert payment');
    await run(tx, statements.insertAttempt, [attemptId, paymentId, totalCents, currency, last4, 'visa', 'PROCESSING']);
  });
  const processorRef = `sim_ch_${randomUUID()}`;
  await sql.begin(async (tx) => {
    one(await run(tx, statements.finishPayment, ['CAPTURED', processorRef, null, null, attemptId, 'PROCESSING']), 'finish payment');
    await run(tx, statements.finishAttempt, ['CAPTURED', null, processorRef, attemptId, 'PROCESSING']);
  });
  one(await run(sql, statements.advanceToShip, [paymentId, last4, 'ship', 0, sagaLeaseSeconds, runnerId, orderId, runnerId]), 'advance to ship');

  // ship
  const shipmentId = randomUUID();
  const trackingNumber = `SM${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
  await sql.begin(async (tx) => {
    one(
      await run(tx, statements.insertShipment, [
        shipmentId, orderId, userId, 'CREATED', 'standard', trackingNumber, shippingAddress.name, shippingAddress.line1, shippingAddress.city,
        shippingAddress.postalCode, shippingAddress.country, weightGrams,
      ]),
      'insert shipment',
    );
    await run(tx, statements.insertTrackingEvent, [shipmentId, 'CREATED']);
    one(await run(tx, statements.trackingHistory, [shipmentId]), 'tracking history');
  });
  one(await run(sql, statements.advanceToConfirm, [shipmentId, 'confirm', 0, sagaLeaseSeconds, runnerId, orderId, runnerId]), 'advance to confirm');

  // confirm: commit the reservation, then finish the order and write its event atomically
  await sql.begin(async (tx) => {
    one(await run(tx, statements.lockReservation, [orderId]), 'lock reservation');
    one(await run(tx, statements.setReservationStatus, ['COMMITTED', new Date(), orderId]), 'commit reservation');
  });
  // The row the last step returns is the answer: the framework does not read it back.
  const final = await sql.begin(async (tx) => {
    const done = one(await run<{ status: string }[]>(tx, statements.advanceToDone, ['CONFIRMED', 'done', 0, null, null, orderId, runnerId]), 'advance to done');
    // Serialised here, as drizzle encodes a jsonb value.
    const payload = JSON.stringify({ orderId, userId, totalCents, currency });
    // The framework stores the request's trace with the event; so does the baseline.
    const traceparent = formatTraceparent(newTraceId(), newSpanId());
    await run(tx, statements.insertOutbox, [randomUUID(), randomUUID(), 'orders/v1#OrderConfirmed', 'notifications', payload, traceparent]);
    return done;
  });
  if (final.status !== 'CONFIRMED') throw new Error(`order ended ${final.status}`);
  onPublished();
};

