/**
 * @module The notifications tables, all in the `notifications` PostgreSQL schema.
 */
import { sql } from 'drizzle-orm';
import { check, index, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { inboxTable } from '../../kernel/outbox-tables.js';

export const notificationsSchema = pgSchema('notifications');

const kinds = ['order_confirmed', 'order_cancelled', 'shipment_dispatched', 'shipment_delivered'] as const;

export const notifications = notificationsSchema.table(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    /** The identity module's id: a plain value, no foreign key across schemas. */
    userId: text('user_id').notNull(),
    kind: text('kind', { enum: kinds }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /**
     * The event this notification tells of. The inbox already ignores redeliveries; the
     * unique key keeps one notification per event even for a caller that bypasses it.
     */
    eventId: uuid('event_id').notNull().unique(),
    /** When the event happened: events from several services arrive in any order. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When this module recorded it: orders events that happened in the same millisecond. */
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (table) => [
    // Scanned backwards, this serves "newest first" (ORDER BY created_at DESC, recorded_at DESC) per user.
    index('notifications_user_created_recorded_idx').on(table.userId, table.createdAt, table.recordedAt),
    check('notifications_kind_known', sql`${table.kind} in ('order_confirmed', 'order_cancelled', 'shipment_dispatched', 'shipment_delivered')`),
  ],
);

/** The events already handled, so a redelivered one has no second effect. */
export const inbox = inboxTable(notificationsSchema);
