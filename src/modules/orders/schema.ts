/**
 * @module The orders module's tables, in the `orders` PostgreSQL schema: orders with their
 * checkout saga's state, and the outbox for the events orders publish.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { outboxTable } from '../../kernel/outbox-tables.js';

export const ordersSchema = pgSchema('orders');

/** Where the checkout saga of an order stands; `done` once the order is CONFIRMED or CANCELLED. */
export type SagaStep = 'reserve' | 'charge' | 'ship' | 'confirm' | 'compensate' | 'done';

export interface StoredLine {
  productId: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface StoredAddress {
  name: string;
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

export const orders = ordersSchema.table(
  'orders',
  {
    id: uuid('id').primaryKey(),
    userId: text('user_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    /** A digest of what was asked, to tell a retry from a different order under the same key. */
    requestHash: text('request_hash').notNull(),
    status: text('status').$type<'PENDING' | 'CONFIRMED' | 'CANCELLED'>().notNull(),
    items: jsonb('items').$type<StoredLine[]>().notNull(),
    itemsCents: integer('items_cents').notNull(),
    shippingCents: integer('shipping_cents').notNull(),
    totalCents: integer('total_cents').notNull(),
    currency: text('currency').notNull(),
    weightGrams: integer('weight_grams').notNull(),
    shippingAddress: jsonb('shipping_address').$type<StoredAddress>().notNull(),
    paymentId: text('payment_id'),
    paymentLast4: text('payment_last4'),
    shipmentId: text('shipment_id'),
    cancellationReason: text('cancellation_reason'),
    cancellationDetails: jsonb('cancellation_details').$type<Record<string, unknown>>(),
    sagaStep: text('saga_step').$type<SagaStep>().notNull(),
    sagaAttempts: integer('saga_attempts').notNull().default(0),
    sagaNextAt: timestamp('saga_next_at', { withTimezone: true }).notNull().defaultNow(),
    /** While set in the future, `sagaOwner` owns the saga; a runner that dies lets it lapse. */
    sagaLeaseUntil: timestamp('saga_lease_until', { withTimezone: true }),
    /** The process (runner id) holding the lease; only it may record the saga's progress. */
    sagaOwner: text('saga_owner'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('orders_user_idempotency_key_idx').on(table.userId, table.idempotencyKey),
    index('orders_user_created_idx').on(table.userId, table.createdAt),
    index('orders_saga_due_idx').on(table.sagaNextAt).where(sql`${table.sagaStep} <> 'done'`),
  ],
);

export const outbox = outboxTable(ordersSchema);
