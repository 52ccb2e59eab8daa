/**
 * @module The catalog's tables, all in the `catalog` PostgreSQL schema.
 */
import { sql } from 'drizzle-orm';
import { check, char, index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const catalogSchema = pgSchema('catalog');

export const categories = catalogSchema.table('categories', {
  id: uuid('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const products = catalogSchema.table(
  'products',
  {
    id: uuid('id').primaryKey(),
    sku: text('sku').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    priceCents: integer('price_cents').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    weightGrams: integer('weight_grams').notNull().default(500),
    categoryId: uuid('category_id')
      .notNull()
      .references(() => categories.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Keyset pagination walks (name, id); this index makes every page one range scan.
    index('products_name_id_idx').on(table.name, table.id),
    index('products_category_name_id_idx').on(table.categoryId, table.name, table.id),
    check('products_price_cents_nonnegative', sql`${table.priceCents} >= 0`),
    check('products_weight_grams_positive', sql`${table.weightGrams} > 0`),
  ],
);
