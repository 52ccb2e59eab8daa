/**
 * @module The guestbook's tables, in its own `guestbook` schema: one entry per greeting, and
 * the inbox that makes a redelivered event a no-op.
 */
import { pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { inboxTable } from '../../../../../src/kernel/outbox-tables.js';

export const guestbookSchema = pgSchema('guestbook');

export const entries = guestbookSchema.table('entries', {
  greetingId: uuid('greeting_id').primaryKey(),
  name: text('name').notNull(),
  writtenAt: timestamp('written_at', { withTimezone: true }).notNull().defaultNow(),
});

export const inbox = inboxTable(guestbookSchema);
