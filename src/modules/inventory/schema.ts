/**
 * @module The inventory's tables, all in the `inventory` PostgreSQL schema.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

export const inventorySchema = pgSchema('inventory');

export const stockLevels = inventorySchema.table(
  'stock_levels',
  {
    productId: text('product_id').primaryKey(),
    available: integer('available').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The last line of defence: whatever the code does, stock cannot go negative.
  (table) => [check('stock_levels_available_nonnegative', sql`${table.available} >= 0`)],
);

export const reservations = inventorySchema.table(
  'reservations',
  {
    id: text('id').primaryKey(),
    status: text('status').$type<'RESERVED' | 'COMMITTED' | 'RELEASED'>().notNull(),
    items: jsonb('items').$type<{ productId: string; quantity: number }[]>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('reservations_expiry_idx').on(table.status, table.expiresAt)],
);
