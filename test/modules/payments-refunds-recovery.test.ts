/**
 * Refunds and recovery through the payments module's contract (in-process binding, validation
 * on), on embedded PGlite and on a real PostgreSQL server: one refund however often it is
 * asked, nothing to refund for an order never captured, unknown payments, and a charge whose
 * answer was lost, whose caller outlived its lease, or that a refund has to wait for.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/kernel/database.js';
import type { ChargeRequest, ChargeResult } from '../../src/modules/payments/card-processor.js';
import { SimulatedCardProcessor, testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { databaseBackends } from '../support/database-backends.js';
import { failure } from '../support/failure.js';
import { waitFor } from '../support/wait-for.js';
import { chargeFor, paymentsHostOn } from './payments-host.js';

/** Charges once per reference, then throws as if the connection dropped before the answer. */
class AnswerLostProcessor extends SimulatedCardProcessor {
  lose = true;
  override async charge(request: ChargeRequest): Promise<ChargeResult> {
    const result = await super.charge(request);
    if (this.lose) {
      this.lose = false;
      throw new Error('socket hang up');
    }
    return result;
  }
}

/** Holds its first charge until `release()`, like a processor call that outlives its caller's lease. */
class StalledProcessor extends SimulatedCardProcessor {
  #stalled = true;
  #release: () => void = () => undefined;
  readonly #gate = new Promise<void>((resolve) => (this.#release = resolve));
  release(): void {
    this.#release();
  }
  override async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (this.#stalled) {
      this.#stalled = false;
      await this.#gate;
    }
    return super.charge(request);
  }
}

describe.each(databaseBackends)('payments module on $name', (backend) => {
  const host = paymentsHostOn(backend);
  const { startPayments } = host;

  it('refunds a payment once, however often and however concurrently it is asked', async () => {
    const processor = new SimulatedCardProcessor({ latencyMs: 20 });
    const payments = await startPayments({ processor });
    const orderId = randomUUID();
    const { paymentId } = await payments.charge(chargeFor(orderId));
    const expected = { paymentId, status: 'REFUNDED', refundedCents: 4999 };
    const concurrent = await Promise.all([payments.refund({ paymentId }), payments.refund({ paymentId }), payments.refundOrder({ orderId })]);
    expect(concurrent).toEqual([expected, expected, expected]);
    await expect(payments.refund({ paymentId })).resolves.toEqual(expected);
    expect(processor.charges.filter((charge) => charge.refundRef !== undefined)).toHaveLength(1);
    await expect(payments.getPaymentByOrder({ orderId })).resolves.toMatchObject({ status: 'REFUNDED', refundedCents: 4999 });
    const error = await failure(payments.charge(chargeFor(orderId)));
    expect(error).toMatchObject({ code: 'PAYMENT_CONFLICT', details: { reason: 'already_refunded' } });
  });

  it('tells a saga there is nothing to refund for an order never charged, or declined', async () => {
    const payments = await startPayments();
    const never = randomUUID();
    await expect(payments.refundOrder({ orderId: never })).resolves.toEqual({ orderId: never, status: 'NOTHING_TO_REFUND' });
    await expect(payments.refundOrder({ orderId: never })).resolves.toEqual({ orderId: never, status: 'NOTHING_TO_REFUND' });
    const declinedOrder = randomUUID();
    await failure(payments.charge(chargeFor(declinedOrder, testCards.declined)));
    await expect(payments.refundOrder({ orderId: declinedOrder })).resolves.toEqual({ orderId: declinedOrder, status: 'NOTHING_TO_REFUND' });
    const { paymentId } = await payments.getPaymentByOrder({ orderId: declinedOrder });
    await expect(failure(payments.refund({ paymentId }))).resolves.toMatchObject({ code: 'PAYMENT_CONFLICT', details: { reason: 'not_captured' } });
  });

  it('answers unknown payments and orders with 404 PAYMENT_NOT_FOUND', async () => {
    const payments = await startPayments();
    await expect(failure(payments.refund({ paymentId: randomUUID() }))).resolves.toMatchObject({ code: 'PAYMENT_NOT_FOUND', kind: 'not-found' });
    await expect(failure(payments.refund({ paymentId: 'not-a-uuid' }))).resolves.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
    await expect(failure(payments.getPaymentByOrder({ orderId: randomUUID() }))).resolves.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
  });

  it('recovers a charge whose answer was lost without charging again', async () => {
    const processor = new AnswerLostProcessor();
    const payments = await startPayments({ processor });
    const orderId = randomUUID();
    const error = await failure(payments.charge(chargeFor(orderId)));
    expect(error).toMatchObject({ code: 'PAYMENT_PROCESSING_FAILED', details: { retryable: true } });
    await expect(payments.getPaymentByOrder({ orderId })).resolves.toMatchObject({ status: 'PROCESSING' });
    const payment = await payments.charge(chargeFor(orderId));
    expect(payment.status).toBe('CAPTURED');
    expect(processor.charges).toHaveLength(1);
    const [row] = await selectRows<{ processor_ref: string }>(host.db, sql`select processor_ref from payments.payments where order_id = ${orderId}`);
    expect(row?.processor_ref).toBe(processor.charges[0]?.processorRef);
  });

  it('takes over an attempt whose caller outlived its lease, and gives back a charge that lands late', async () => {
    const processor = new StalledProcessor();
    const payments = await startPayments({ processor, leaseMs: 100, inFlightWaitMs: 5_000 });
    const orderId = randomUUID();
    const stalled = payments.charge(chargeFor(orderId));
    // The first attempt is held at the processor until its lease has run out, by the
    // database's clock (the one leases are kept by), however slow the machine.
    await waitFor(
      () => selectRows<{ expired: boolean }>(host.db, sql`select lease_until <= now() as expired from payments.payments where order_id = ${orderId}`),
      (rows) => rows[0]?.expired === true,
      30_000,
      'the stalled attempt to outlive its lease',
    );
    const taken = await payments.charge(chargeFor(orderId));
    expect(taken.status).toBe('CAPTURED');
    processor.release();
    await expect(stalled).resolves.toEqual(taken);
    const kept = processor.charges.filter((charge) => charge.refundRef === undefined);
    expect(processor.charges).toHaveLength(2);
    expect(kept).toHaveLength(1);
    await expect(payments.getPaymentByOrder({ orderId })).resolves.toMatchObject({ status: 'CAPTURED', attempts: 2 });
  });

  it('makes a refund wait for a charge in flight, then refunds it', async () => {
    const processor = new StalledProcessor();
    const payments = await startPayments({ processor });
    const orderId = randomUUID();
    const charging = payments.charge(chargeFor(orderId));
    // The refund starts only once the charge is in flight (its row PROCESSING), however slow
    // the machine; the charge is held at the processor until the refund has been asked for.
    await waitFor(
      () => payments.getPaymentByOrder({ orderId }).catch(() => undefined),
      (payment) => payment?.status === 'PROCESSING',
      10_000,
      'the charge to be in flight',
    );
    const refunding = payments.refundOrder({ orderId });
    setTimeout(() => processor.release(), 50);
    const refunded = await refunding;
    const { paymentId } = await charging;
    expect(refunded).toEqual({ paymentId, status: 'REFUNDED', refundedCents: 4999 });
  });
});
