/**
 * @module The greeter's tables, in its own `greeter` schema: what it said, and its outbox.
 */
import { pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { outboxTable } from '../../../../../src/kernel/outbox-tables.js';

export const greeterSchema = pgSchema('greeter');

export const greetings = greeterSchema.table('greetings', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  greetedAt: timestamp('greeted_at', { withTimezone: true }).notNull().defaultNow(),
});

export const outbox = outboxTable(greeterSchema);
