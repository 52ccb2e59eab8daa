/**
 * @module The payments tables, all in the `payments` PostgreSQL schema.
 *
 * One `payments` row per order (order_id is unique): that constraint is what makes charging
 * idempotent per order even when two calls race. A declined or failed attempt leaves the row
 * in DECLINED or FAILED, and a retry reuses the row for its new attempt; `attempts` keeps the
 * history of each one. No card number or CVC is stored anywhere, only last4 and brand.
 */
import { sql } from 'drizzle-orm';
import { check, char, index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const paymentsSchema = pgSchema('payments');

const statuses = ['PROCESSING', 'CAPTURED', 'DECLINED', 'FAILED', 'REFUNDING', 'REFUNDED'] as const;
const attemptOutcomes = ['PROCESSING', 'CAPTURED', 'DECLINED', 'FAILED', 'ABANDONED'] as const;
const brands = ['visa', 'mastercard', 'amex', 'unknown'] as const;
const declineReasons = ['card_declined', 'insufficient_funds'] as const;

export const payments = paymentsSchema.table(
  'payments',
  {
    id: uuid('id').primaryKey(),
    /** The orders module's id: a plain value, no foreign key across schemas. */
    orderId: text('order_id').notNull().unique(),
    userId: text('user_id').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    status: text('status', { enum: statuses }).notNull(),
    last4: char('last4', { length: 4 }).notNull(),
    brand: text('brand', { enum: brands }).notNull(),
    /** The current attempt: also the reference the processor knows the charge by. */
    attemptId: uuid('attempt_id').notNull(),
    attempts: integer('attempts').notNull().default(1),
    processorRef: text('processor_ref'),
    declineReason: text('decline_reason', { enum: declineReasons }),
    refundedCents: integer('refunded_cents').notNull().default(0),
    refundRef: text('refund_ref'),
    /**
     * While PROCESSING or REFUNDING, until when the caller that started it owns it. A lease
     * that runs out means that caller died; the next call reconciles with the processor.
     */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    capturedAt: timestamp('captured_at', { withTimezone: true }),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
  },
  (table) => [
    check('payments_amount_cents_positive', sql`${table.amountCents} > 0`),
    check('payments_refunded_cents_range', sql`${table.refundedCents} between 0 and ${table.amountCents}`),
    check('payments_last4_digits', sql`${table.last4} ~ '^[0-9]{4}$'`),
    // A payment that took money always knows the processor's id for it: refunds need it.
    check('payments_captured_has_processor_ref', sql`${table.status} not in ('CAPTURED', 'REFUNDING', 'REFUNDED') or ${table.processorRef} is not null`),
    check('payments_status_known', sql`${table.status} in ('PROCESSING', 'CAPTURED', 'DECLINED', 'FAILED', 'REFUNDING', 'REFUNDED')`),
  ],
);

/** Every charge attempt, declined ones included: the audit trail behind a payment. */
export const attempts = paymentsSchema.table(
  'attempts',
  {
    /** Sent to the processor as the charge's reference. */
    id: uuid('id').primaryKey(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    amountCents: integer('amount_cents').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    last4: char('last4', { length: 4 }).notNull(),
    brand: text('brand', { enum: brands }).notNull(),
    outcome: text('outcome', { enum: attemptOutcomes }).notNull(),
    declineReason: text('decline_reason', { enum: declineReasons }),
    processorRef: text('processor_ref'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('attempts_payment_id_idx').on(table.paymentId, table.createdAt),
    check('attempts_outcome_known', sql`${table.outcome} in ('PROCESSING', 'CAPTURED', 'DECLINED', 'FAILED', 'ABANDONED')`),
  ],
);
