/**
 * @module The outbox and inbox tables every publishing or consuming module keeps in its own
 * schema. A module exports them from its schema.ts so its migrations create them.
 *
 * Outbox: one row per (event, subscriber) with a status and an attempt count, so a failing
 * delivery is visible, retried with backoff, and ends as `dead` for inspection and replay.
 * Inbox: one row per (event, consumer) processed, so a redelivery has no second effect.
 */
import { index, integer, jsonb, primaryKey, text, timestamp, uuid, type PgSchema } from 'drizzle-orm/pg-core';

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

export const outboxTable = (schema: PgSchema) =>
  schema.table(
    'outbox',
    {
      id: uuid('id').primaryKey(),
      eventId: uuid('event_id').notNull(),
      eventType: text('event_type').notNull(),
      subscriber: text('subscriber').notNull(),
      payload: jsonb('payload').notNull(),
      occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
      /** The W3C traceparent of the call that published the event, so its handlers join that trace. */
      traceparent: text('traceparent'),
      status: text('status').$type<OutboxStatus>().notNull().default('pending'),
      attempts: integer('attempts').notNull().default(0),
      nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
      lockedUntil: timestamp('locked_until', { withTimezone: true }),
      lastError: text('last_error'),
      deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    },
    (table) => [index('outbox_due_idx').on(table.status, table.nextAttemptAt)],
  );

/** The outbox table of one schema, as drizzle types it. */
export type OutboxTable = ReturnType<typeof outboxTable>;

/** An outbox row as drizzle reads it: camelCase keys, timestamps as Dates. */
export type OutboxRow = OutboxTable['$inferSelect'];

export const inboxTable = (schema: PgSchema) =>
  schema.table(
    'inbox',
    {
      eventId: uuid('event_id').notNull(),
      eventType: text('event_type').notNull(),
      processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (table) => [primaryKey({ columns: [table.eventId] })],
  );
