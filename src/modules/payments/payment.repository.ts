/**
 * @module Payment rows and their state changes. The only file of payments that writes SQL.
 *
 * Every change of state is one conditional statement that says which state it expects:
 * whoever's statement matches owns the next step, so two racing calls never both charge or
 * both refund. Where a payment and its attempt change together, WITH queries make that one
 * statement too: atomic without a transaction around it, and one round trip. Leases are compared with the database's clock, which every
 * replica shares. No transaction is held open while a processor is called.
 */
import { and, eq, inArray, lte, or, sql, type Placeholder } from 'drizzle-orm';
import { setTo, sqlStatement, type Database } from '../../kernel/database.js';
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

/**
 * An attempt on its payment. Statements find the payment by its id and check the attempt is
 * still its own: attempt_id has no index, and a payment table grows with every order.
 */
export type AttemptRef = Pick<PaymentRow, 'id' | 'attemptId'>;

/** What the payments service reads and writes; the repository below is its PostgreSQL implementation. */
export interface PaymentStore {
  claimCharge(request: AttemptRequest, leaseMs: number): Promise<ChargeClaim>;
  finishAttempt(attempt: AttemptRef, outcome: AttemptOutcome): Promise<PaymentRow | undefined>;
  releaseLease(attempt: AttemptRef): Promise<void>;
  claimStaleAttempt(attempt: AttemptRef, leaseMs: number): Promise<boolean>;
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

/** The payment `paymentId`, while attempt `attemptId` still owns it: by primary key (see AttemptRef). */
const ownedByAttempt = (paymentId: string | Placeholder, attemptId: string | Placeholder) =>
  and(eq(payments.id, paymentId), eq(payments.attemptId, attemptId), eq(payments.status, 'PROCESSING'));

// The checkout path's statements, built once (see `sqlStatement`).

/**
 * The attempt row of the payment a WITH query named "claimed" returned, for the same statement:
 * a payment and its attempt are written together or not at all, in one round trip.
 */
const attemptOfClaimed = (attemptId: Placeholder) => sql`"attempt" as (
    insert into ${attempts} ("id", "payment_id", "amount_cents", "currency", "last4", "brand", "outcome")
    select ${setTo(attempts.id, attemptId)}::uuid, "id", "amount_cents", "currency", "last4", "brand", 'PROCESSING' from "claimed")`;

/**
 * A new order's payment, PROCESSING and leased, with its first attempt; no row when the order
 * has a payment already. On a racing insert of the same order, PostgreSQL makes this wait for
 * the other statement and then do nothing: exactly one of them gets the row.
 */
const claimNewCharge = sqlStatement<AttemptRequest & { leaseSeconds: number }, PaymentRow>('payments.claim-new')(
  (db, p) => sql`with "claimed" as ${db
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
    .returning(rowColumns)}, ${attemptOfClaimed(p.attemptId)}
    select * from "claimed"`,
  rowColumns,
);

/** A DECLINED or FAILED payment taken over for a new attempt, with that attempt; no row otherwise. */
const claimRetriedCharge = sqlStatement<AttemptRequest & { leaseSeconds: number }, PaymentRow>('payments.claim-retry')(
  (db, p) => sql`with "claimed" as ${db
    .update(payments)
    .set({
      userId: setTo(payments.userId, p.userId),
      amountCents: setTo(payments.amountCents, p.amountCents),
      currency: setTo(payments.currency, p.currency),
      last4: setTo(payments.last4, p.last4),
      brand: setTo(payments.brand, p.brand),
      attemptId: setTo(payments.attemptId, p.attemptId),
      status: 'PROCESSING',
      leaseUntil: sql`now() + make_interval(secs => ${p.leaseSeconds})`,
      attempts: sql`${payments.attempts} + 1`,
      processorRef: null,
      declineReason: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(payments.orderId, p.orderId), inArray(payments.status, ['DECLINED', 'FAILED'])))
    .returning(rowColumns)}, ${attemptOfClaimed(p.attemptId)}
    select * from "claimed"`,
  rowColumns,
);

interface OutcomeValues {
  paymentId: string;
  attemptId: string;
  outcome: AttemptOutcome['outcome'];
  processorRef: string | null;
  declineReason: DeclineReason | null;
}

/**
 * An attempt's end, on the payment (if it still owns it: the row comes back) and on the attempt,
 * in one statement. A capture also stamps captured_at, so two shapes.
 */
const finishAttempt = (captured: boolean) =>
  sqlStatement<OutcomeValues & { status: PaymentRow['status'] }, PaymentRow>(`payments.finish.${captured ? 'captured' : 'other'}`)(
    (db, p) => sql`with "finished" as ${db
      .update(payments)
      .set({
        status: setTo(payments.status, p.status),
        processorRef: setTo(payments.processorRef, p.processorRef),
        declineReason: setTo(payments.declineReason, p.declineReason),
        capturedAt: captured ? sql`now()` : null,
        leaseUntil: null,
        updatedAt: sql`now()`,
      })
      .where(ownedByAttempt(p.paymentId, p.attemptId))
      .returning(rowColumns)}, "attempt" as ${db
      .update(attempts)
      .set({
        outcome: setTo(attempts.outcome, p.outcome),
        processorRef: setTo(attempts.processorRef, p.processorRef),
        declineReason: setTo(attempts.declineReason, p.declineReason),
        finishedAt: sql`now()`,
      })
      .where(and(eq(attempts.id, p.attemptId), eq(attempts.outcome, 'PROCESSING')))}
      select * from "finished"`,
    rowColumns,
  );
const finishCaptured = finishAttempt(true);
const finishOther = finishAttempt(false);

export class PaymentRepository implements PaymentStore {
  constructor(private readonly db: Database) {}

  /**
   * Starts a charge attempt for the order unless one is in flight or already succeeded: a new
   * row for a new order, or the DECLINED/FAILED row taken over for a retry. Otherwise returns
   * the row as it is, unclaimed.
   */
  async claimCharge(request: AttemptRequest, leaseMs: number): Promise<ChargeClaim> {
    const values = { ...request, leaseSeconds: leaseMs / 1000 };
    const [claimed] = await claimNewCharge.run(this.db, values);
    if (claimed) return { claimed: true, row: claimed };
    const [retried] = await claimRetriedCharge.run(this.db, values);
    if (retried) return { claimed: true, row: retried };
    const existing = await this.findByOrder(request.orderId);
    if (!existing) throw new Error(`payment for order ${request.orderId} vanished while claiming it`);
    return { claimed: false, row: existing };
  }

  /** Records how an attempt ended, if it still owns its payment; undefined when it lost it. */
  async finishAttempt(attempt: AttemptRef, result: AttemptOutcome): Promise<PaymentRow | undefined> {
    const values: OutcomeValues = {
      paymentId: attempt.id,
      attemptId: attempt.attemptId,
      outcome: result.outcome,
      processorRef: result.outcome === 'CAPTURED' ? result.processorRef : null,
      declineReason: result.outcome === 'DECLINED' ? result.reason : null,
    };
    const finish = result.outcome === 'CAPTURED' ? finishCaptured : finishOther;
    const [row] = await finish.run(this.db, { ...values, status: result.outcome === 'ABANDONED' ? 'FAILED' : result.outcome });
    return row;
  }

  /** Ends an attempt's lease at once, so the next call reconciles it instead of waiting. */
  async releaseLease(attempt: AttemptRef): Promise<void> {
    await this.db
      .update(payments)
      .set({ leaseUntil: sql`now()` })
      .where(ownedByAttempt(attempt.id, attempt.attemptId));
  }

  /** Takes over an attempt whose lease ran out, for reconciliation; false if someone else did. */
  async claimStaleAttempt(attempt: AttemptRef, leaseMs: number): Promise<boolean> {
    const rows = await this.db
      .update(payments)
      .set({ leaseUntil: leaseFromNow(leaseMs) })
      .where(and(ownedByAttempt(attempt.id, attempt.attemptId), lte(payments.leaseUntil, sql`now()`)))
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
