/**
 * The payments module through its contract (in-process binding, validation on), on embedded
 * PGlite and on a real PostgreSQL server: charges, declines, idempotency under races, refunds,
 * and recovery from a caller that died mid-charge.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/kernel/config.js';
import { openDatabase, selectRows, type DatabaseHandle } from '../../src/kernel/database.js';
import type { SeamError } from '../../src/kernel/errors.js';
import { createLogger } from '../../src/kernel/logger.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import type { ChargeRequest, ChargeResult } from '../../src/modules/payments/card-processor.js';
import { paymentsContract, type PaymentsApi } from '../../src/modules/payments/contract.js';
import { createPaymentsModule, type PaymentsModuleOptions } from '../../src/modules/payments/module.js';
import { SimulatedCardProcessor, testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import { startPostgres } from '../support/postgres-server.js';
import { waitFor } from '../support/wait-for.js';

interface Backend {
  readonly name: string;
  open(): Promise<{ handle: DatabaseHandle; release(): Promise<void> }>;
}

const backends: readonly Backend[] = [
  {
    name: 'embedded PGlite',
    open: async () => {
      const handle = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
      return { handle, release: () => handle.close() };
    },
  },
  {
    name: 'PostgreSQL server',
    open: async () => {
      const server = await startPostgres();
      const handle = await openDatabase({ kind: 'postgres', url: server.url });
      return {
        handle,
        release: async () => {
          await handle.close();
          await server.stop();
        },
      };
    },
  },
];

const card = (number: string = testCards.success) => ({ number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '987' });

const chargeFor = (orderId: string, number: string = testCards.success, amountCents = 4999) => ({
  orderId,
  userId: 'user-1',
  amountCents,
  currency: 'EUR',
  card: card(number),
});

/** The error a call fails with; fails the test if the call succeeds. */
const failure = (call: Promise<unknown>): Promise<SeamError> =>
  call.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as SeamError,
  );

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

describe.each(backends)('payments module on $name', (backend) => {
  let handle: DatabaseHandle;
  let release: () => Promise<void>;
  const config = loadConfig({ NODE_ENV: 'test' });
  const logger = createLogger({ level: 'silent' });

  /** A payments module on the shared database, bound in process with validation. */
  const startPayments = async (options: PaymentsModuleOptions & { validate?: boolean } = {}): Promise<PaymentsApi> => {
    const host = new ModuleHost({ database: handle, logger, config, bind: inProcessBinder({ validate: options.validate ?? true }) });
    await host.start([createPaymentsModule(options)]);
    return host.api(paymentsContract);
  };

  const tableText = async (): Promise<string[]> => {
    const rows = await selectRows<{ row: string }>(
      handle.db,
      sql`select row_to_json(p)::text as row from payments.payments p union all select row_to_json(a)::text from payments.attempts a`,
    );
    return rows.map((row) => row.row);
  };

  beforeAll(async () => {
    const opened = await backend.open();
    handle = opened.handle;
    release = opened.release;
  });
  afterAll(async () => {
    await release?.();
  });

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
      handle.db,
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
      handle.db,
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
    const [row] = await selectRows<{ processor_ref: string }>(handle.db, sql`select processor_ref from payments.payments where order_id = ${orderId}`);
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
      () => selectRows<{ expired: boolean }>(handle.db, sql`select lease_until <= now() as expired from payments.payments where order_id = ${orderId}`),
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
