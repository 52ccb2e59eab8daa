/**
 * Charging through the payments module's contract (in-process binding, validation on), on
 * embedded PGlite and on a real PostgreSQL server: captures that keep only a card's last four
 * digits, declines and transient errors, one charge per order however often and however
 * concurrently it is asked, and the card checks with and without the binding's validation.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/kernel/database.js';
import { SimulatedCardProcessor, testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { databaseBackends } from '../support/database-backends.js';
import { failure } from '../support/failure.js';
import { card, chargeFor, paymentsHostOn } from './payments-host.js';

describe.each(databaseBackends)('payments module on $name', (backend) => {
  const host = paymentsHostOn(backend);
  const { startPayments } = host;

  const tableText = async (): Promise<string[]> => {
    const rows = await selectRows<{ row: string }>(
      host.db,
      sql`select row_to_json(p)::text as row from payments.payments p union all select row_to_json(a)::text from payments.attempts a`,
    );
    return rows.map((row) => row.row);
  };

  it('charges a card and stores only its last four digits and brand', async () => {
    const processor = new SimulatedCardProcessor();
    const payments = await startPayments({ processor });
    const orderId = randomUUID();
    const payment = await payments.charge(chargeFor(orderId));
    expect(payment).toEqual({
      paymentId: expect.any(String),
      orderId,
      status: 'CAPTURED',
      amountCents: 4999,
      currency: 'EUR',
      last4: '4242',
      brand: 'visa',
    });
    expect(processor.charges).toHaveLength(1);
    const rows = await tableText();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row).not.toContain(testCards.success);
      expect(Object.values(JSON.parse(row) as Record<string, unknown>)).not.toContain('987');
    }
    await expect(payments.getPaymentByOrder({ orderId })).resolves.toMatchObject({
      paymentId: payment.paymentId,
      status: 'CAPTURED',
      userId: 'user-1',
      declineReason: null,
      refundedCents: 0,
      attempts: 1,
    });
  });

  it.each([
    [testCards.declined, 'card_declined'],
    [testCards.insufficientFunds, 'insufficient_funds'],
  ])('answers %s with 402 PAYMENT_DECLINED for %s', async (number, reason) => {
    const payments = await startPayments();
    const orderId = randomUUID();
    const error = await failure(payments.charge(chargeFor(orderId, number)));
    expect(error).toMatchObject({ code: 'PAYMENT_DECLINED', kind: 'refused', details: { reason, orderId } });
    await expect(payments.getPaymentByOrder({ orderId })).resolves.toMatchObject({ status: 'DECLINED', declineReason: reason, last4: number.slice(-4) });
  });

  it('answers a transient processor error with a retryable 503, and a retry of the order can succeed', async () => {
    const processor = new SimulatedCardProcessor();
    const payments = await startPayments({ processor });
    const orderId = randomUUID();
    const error = await failure(payments.charge(chargeFor(orderId, testCards.processingError)));
    expect(error).toMatchObject({ code: 'PAYMENT_PROCESSING_FAILED', kind: 'unavailable', details: { retryable: true } });
    await expect(payments.getPaymentByOrder({ orderId })).resolves.toMatchObject({ status: 'FAILED' });
    await expect(payments.charge(chargeFor(orderId))).resolves.toMatchObject({ status: 'CAPTURED' });
    expect(processor.charges).toHaveLength(1);
  });

  it('lets a declined order be charged again with another card, keeping every attempt', async () => {
    const payments = await startPayments();
    const orderId = randomUUID();
    await failure(payments.charge(chargeFor(orderId, testCards.declined)));
    const payment = await payments.charge(chargeFor(orderId, '5555555555554444'));
    expect(payment).toMatchObject({ status: 'CAPTURED', last4: '4444', brand: 'mastercard' });
    await expect(payments.getPaymentByOrder({ orderId })).resolves.toMatchObject({ paymentId: payment.paymentId, attempts: 2, declineReason: null });
    const outcomes = await selectRows<{ outcome: string; last4: string }>(
      host.db,
      sql`select outcome, last4 from payments.attempts where payment_id = ${payment.paymentId}::uuid order by created_at, outcome`,
    );
    expect(outcomes.map((row) => `${row.outcome}:${row.last4}`).sort()).toEqual(['CAPTURED:4444', 'DECLINED:0002']);
  });

  it('charges an order once when asked twice in a row', async () => {
    const processor = new SimulatedCardProcessor();
    const payments = await startPayments({ processor });
    const orderId = randomUUID();
    const first = await payments.charge(chargeFor(orderId));
    const second = await payments.charge(chargeFor(orderId));
    expect(second).toEqual(first);
    expect(processor.charges).toHaveLength(1);
  });

  it('charges an order once when asked concurrently', async () => {
    const processor = new SimulatedCardProcessor({ latencyMs: 50 });
    const payments = await startPayments({ processor });
    const orderId = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => payments.charge(chargeFor(orderId))));
    expect(new Set(results.map((result) => result.paymentId)).size).toBe(1);
    expect(processor.charges).toHaveLength(1);
    const [row] = await selectRows<{ count: number }>(
      host.db,
      sql`select count(*)::int as count from payments.payments where order_id = ${orderId} and status = 'CAPTURED'`,
    );
    expect(row?.count).toBe(1);
  });

  it('refuses to report a captured order as paid for a different amount', async () => {
    const payments = await startPayments();
    const orderId = randomUUID();
    const payment = await payments.charge(chargeFor(orderId));
    const error = await failure(payments.charge(chargeFor(orderId, testCards.success, 5000)));
    expect(error).toMatchObject({ code: 'PAYMENT_CONFLICT', kind: 'conflict', details: { reason: 'different_charge', orderId, paymentId: payment.paymentId } });
  });

  it.each([
    ['a number that fails the checksum', { number: '4242424242424241' }, 'CARD_INVALID', 'card.number'],
    ['an expiry year in the past', { expYear: 2020 }, 'CARD_INVALID', 'card.expYear'],
    ['an expiry month earlier this year', { expYear: 2026, expMonth: 5 }, 'CARD_INVALID', 'card.expMonth'],
    ['an expiry month out of range', { expMonth: 13 }, 'VALIDATION_FAILED', 'card.expMonth'],
    ['a number with spaces', { number: '4242 4242 4242 4242' }, 'VALIDATION_FAILED', 'card.number'],
  ])('answers %s with a 400 naming the field', async (_, change, code, field) => {
    const processor = new SimulatedCardProcessor();
    // A fixed clock, so "earlier this year" means the same thing in every month of every year.
    const payments = await startPayments({ processor, now: () => new Date('2026-06-15T12:00:00Z') });
    const orderId = randomUUID();
    const error = await failure(payments.charge({ ...chargeFor(orderId), card: { ...card(), ...change } }));
    expect(error).toMatchObject({ code, kind: 'invalid' });
    expect((error.details as { errors: { field: string }[] }).errors.map((issue) => issue.field)).toEqual([field]);
    expect(error.message).not.toContain(testCards.success);
    expect(processor.charges).toHaveLength(0);
    await expect(failure(payments.getPaymentByOrder({ orderId }))).resolves.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
  });

  it('checks cards itself when the binding does not validate', async () => {
    const payments = await startPayments({ validate: false });
    const error = await failure(payments.charge({ ...chargeFor(randomUUID()), card: card('4242 4242 4242 4242') }));
    expect(error).toMatchObject({ code: 'CARD_INVALID', kind: 'invalid', details: { errors: [{ field: 'card.number' }] } });
  });
});
