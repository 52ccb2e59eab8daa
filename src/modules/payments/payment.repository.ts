/**
 * @module Payment rows and their state changes. The only file of payments that writes SQL.
 *
 * Every change of state is one conditional statement (or one short transaction) that says
 * which state it expects: whoever's statement matches owns the next step, so two racing calls
 * never both charge or both refund. Leases are compared with the database's clock, which every
 * replica shares. No transaction is held open while a processor is called.
 */
import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { setTo, statement, type Database } from '../../kernel/database.js';
import { isUuid } from '../../kernel/validation.js';
import type { CardBrand, DeclineReason } from './contract.js';
import { attempts, payments } from './schema.js';

export type PaymentRow = typeof payments.$inferSelect & {
  /** True when the row is PROCESSING or REFUNDING and its owner's lease ran out. */
  readonly leaseExpired: boolean;
};

/** A new charge attempt for an order. */
export interface AttemptRequest {
  readonly paymentId: string;
  readonly attemptId: string;
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly last4: string;
  readonly brand: CardBrand;
}

/** How an attempt ended. ABANDONED: its owner died and the processor never charged it. */
export type AttemptOutcome =
  | { readonly outcome: 'CAPTURED'; readonly processorRef: string }
  | { readonly outcome: 'DECLINED'; readonly reason: DeclineReason }
  | { readonly outcome: 'FAILED' }
  | { readonly outcome: 'ABANDONED' };

/** The claim on an order's charge: `claimed` when this caller owns the new attempt. */
export interface ChargeClaim {
  readonly claimed: boolean;
  readonly row: PaymentRow;
}

/** What the payments service reads and writes; the repository below is its PostgreSQL implementation. */
export interface PaymentStore {
  claimCharge(request: AttemptRequest, leaseMs: number): Promise<ChargeClaim>;
  finishAttempt(attemptId: string, outcome: AttemptOutcome): Promise<PaymentRow | undefined>;
  releaseLease(attemptId: string): Promise<void>;
  claimStaleAttempt(attemptId: string, leaseMs: number): Promise<boolean>;
  claimRefund(paymentId: string, leaseMs: number): Promise<PaymentRow | undefined>;
  finishRefund(paymentId: string, refundRef: string): Promise<PaymentRow | undefined>;
  cancelRefund(paymentId: string): Promise<void>;
  findById(paymentId: string): Promise<PaymentRow | undefined>;
  findByOrder(orderId: string): Promise<PaymentRow | undefined>;
}

const rowColumns = {
  id: payments.id,
  orderId: payments.orderId,
  userId: payments.userId,
  amountCents: payments.amountCents,
  currency: payments.currency,
  status: payments.status,
  last4: payments.last4,
  brand: payments.brand,
  attemptId: payments.attemptId,
  attempts: payments.attempts,
  processorRef: payments.processorRef,
  declineReason: payments.declineReason,
  refundedCents: payments.refundedCents,
  refundRef: payments.refundRef,
  leaseUntil: payments.leaseUntil,
  createdAt: payments.createdAt,
  updatedAt: payments.updatedAt,
  capturedAt: payments.capturedAt,
  refundedAt: payments.refundedAt,
  leaseExpired: sql<boolean>`coalesce(${payments.leaseUntil} <= now(), false)`.as('lease_expired'),
};

const leaseFromNow = (leaseMs: number) => sql`now() + make_interval(secs => ${leaseMs / 1000})`;

// The checkout path's statements, built once (see `statement`).

const insertPayment = statement<AttemptRequest & { leaseSeconds: number }>('payments.insert')(
  (db, p) =>
    db
      .insert(payments)
      .values({
        id: p.paymentId,
        orderId: p.orderId,
        userId: p.userId,
        amountCents: p.amountCents,
        currency: p.currency,
        last4: p.last4,
        brand: p.brand,
        attemptId: p.attemptId,
        status: 'PROCESSING',
        leaseUntil: sql`now() + make_interval(secs => ${p.leaseSeconds})`,
      })
      .onConflictDoNothing({ target: payments.orderId })
      .returning(rowColumns),
  rowColumns,
);

const insertAttempt = statement<AttemptRequest>('payments.insert-attempt')((db, p) =>
  db.insert(attempts).values({
    id: p.attemptId,
    paymentId: p.paymentId,
    amountCents: p.amountCents,
    currency: p.currency,
    last4: p.last4,
    brand: p.brand,
    outcome: 'PROCESSING',
  }),
);

interface OutcomeValues {
  attemptId: string;
  outcome: AttemptOutcome['outcome'];
  processorRef: string | null;
  declineReason: DeclineReason | null;
}

/** The payment's side of an attempt's end; a capture also stamps captured_at, so two shapes. */
const finishPayment = (captured: boolean) =>
  statement<OutcomeValues & { status: PaymentRow['status'] }>(`payments.finish.${captured ? 'captured' : 'other'}`)(
    (db, p) =>
      db
        .update(payments)
        .set({
          status: setTo(payments.status, p.status),
          processorRef: setTo(payments.processorRef, p.processorRef),
          declineReason: setTo(payments.declineReason, p.declineReason),
          capturedAt: captured ? sql`now()` : null,
          leaseUntil: null,
          updatedAt: sql`now()`,
        })
        .where(and(eq(payments.attemptId, p.attemptId), eq(payments.status, 'PROCESSING')))
        .returning(rowColumns),
    rowColumns,
  );
const finishCapturedPayment = finishPayment(true);
const finishOtherPayment = finishPayment(false);

const finishAttempt = statement<OutcomeValues>('payments.finish-attempt')((db, p) =>
  db
    .update(attempts)
    .set({
      outcome: setTo(attempts.outcome, p.outcome),
      processorRef: setTo(attempts.processorRef, p.processorRef),
      declineReason: setTo(attempts.declineReason, p.declineReason),
      finishedAt: sql`now()`,
    })
    .where(and(eq(attempts.id, p.attemptId), eq(attempts.outcome, 'PROCESSING'))),
);

export class PaymentRepository implements PaymentStore {
  constructor(private readonly db: Database) {}

  /**
   * Starts a charge attempt for the order unless one is in flight or already succeeded: a new
   * row for a new order, or the DECLINED/FAILED row taken over for a retry. Otherwise returns
   * the row as it is, unclaimed.
   */
  async claimCharge(request: AttemptRequest, leaseMs: number): Promise<ChargeClaim> {
    return this.db.transaction(async (tx) => {
      // On a racing insert of the same order, PostgreSQL makes this wait for the other
      // transaction and then do nothing: exactly one of them gets the row.
      const [inserted] = await insertPayment.run(tx, { ...request, leaseSeconds: leaseMs / 1000 });
      const [retried] = inserted
        ? []
        : await tx
            .update(payments)
            .set({
              userId: request.userId,
              amountCents: request.amountCents,
              currency: request.currency,
              last4: request.last4,
              brand: request.brand,
              attemptId: request.attemptId,
              status: 'PROCESSING' as const,
              leaseUntil: leaseFromNow(leaseMs),
              attempts: sql`${payments.attempts} + 1`,
              processorRef: null,
              declineReason: null,
              updatedAt: sql`now()`,
            })
            .where(and(eq(payments.orderId, request.orderId), inArray(payments.status, ['DECLINED', 'FAILED'])))
            .returning(rowColumns);
      const claimed = inserted ?? retried;
      if (claimed) {
        await insertAttempt.run(tx, { ...request, paymentId: claimed.id });
        return { claimed: true, row: claimed };
      }
      const [existing] = await tx.select(rowColumns).from(payments).where(eq(payments.orderId, request.orderId));
      if (!existing) throw new Error(`payment for order ${request.orderId} vanished while claiming it`);
      return { claimed: false, row: existing };
    });
  }

  /** Records how an attempt ended, if it still owns its payment; undefined when it lost it. */
  async finishAttempt(attemptId: string, result: AttemptOutcome): Promise<PaymentRow | undefined> {
    const values: OutcomeValues = {
      attemptId,
      outcome: result.outcome,
      processorRef: result.outcome === 'CAPTURED' ? result.processorRef : null,
      declineReason: result.outcome === 'DECLINED' ? result.reason : null,
    };
    const finishPayment = result.outcome === 'CAPTURED' ? finishCapturedPayment : finishOtherPayment;
    return this.db.transaction(async (tx) => {
      const [row] = await finishPayment.run(tx, { ...values, status: result.outcome === 'ABANDONED' ? 'FAILED' : result.outcome });
      await finishAttempt.run(tx, values);
      return row;
    });
  }

  /** Ends an attempt's lease at once, so the next call reconciles it instead of waiting. */
  async releaseLease(attemptId: string): Promise<void> {
    await this.db
      .update(payments)
      .set({ leaseUntil: sql`now()` })
      .where(and(eq(payments.attemptId, attemptId), eq(payments.status, 'PROCESSING')));
  }

  /** Takes over an attempt whose lease ran out, for reconciliation; false if someone else did. */
  async claimStaleAttempt(attemptId: string, leaseMs: number): Promise<boolean> {
    const rows = await this.db
      .update(payments)
      .set({ leaseUntil: leaseFromNow(leaseMs) })
      .where(and(eq(payments.attemptId, attemptId), eq(payments.status, 'PROCESSING'), lte(payments.leaseUntil, sql`now()`)))
      .returning({ id: payments.id });
    return rows.length > 0;
  }

  /** Moves a CAPTURED payment (or one whose refund was abandoned) to REFUNDING, if this caller wins it. */
  async claimRefund(paymentId: string, leaseMs: number): Promise<PaymentRow | undefined> {
    if (!isUuid(paymentId)) return undefined;
    const [row] = await this.db
      .update(payments)
      .set({ status: 'REFUNDING', leaseUntil: leaseFromNow(leaseMs), updatedAt: sql`now()` })
      .where(
        and(
          eq(payments.id, paymentId),
          or(eq(payments.status, 'CAPTURED'), and(eq(payments.status, 'REFUNDING'), lte(payments.leaseUntil, sql`now()`))),
        ),
      )
      .returning(rowColumns);
    return row;
  }

  async finishRefund(paymentId: string, refundRef: string): Promise<PaymentRow | undefined> {
    const [row] = await this.db
      .update(payments)
      .set({
        status: 'REFUNDED',
        refundedCents: sql`${payments.amountCents}`,
        refundRef,
        refundedAt: sql`now()`,
        leaseUntil: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(payments.id, paymentId), eq(payments.status, 'REFUNDING')))
      .returning(rowColumns);
    return row;
  }

  /** Puts a refund that failed back to CAPTURED, so it can be tried again. */
  async cancelRefund(paymentId: string): Promise<void> {
    await this.db
      .update(payments)
      .set({ status: 'CAPTURED', leaseUntil: null, updatedAt: sql`now()` })
      .where(and(eq(payments.id, paymentId), eq(payments.status, 'REFUNDING')));
  }

  async findById(paymentId: string): Promise<PaymentRow | undefined> {
    // Not a uuid cannot be ours; asking PostgreSQL would only raise a cast error.
    if (!isUuid(paymentId)) return undefined;
    const [row] = await this.db.select(rowColumns).from(payments).where(eq(payments.id, paymentId));
    return row;
  }

  async findByOrder(orderId: string): Promise<PaymentRow | undefined> {
    const [row] = await this.db.select(rowColumns).from(payments).where(eq(payments.orderId, orderId));
    return row;
  }
}
