/**
 * @module The identity module's tables, all in the `identity` PostgreSQL schema.
 */
import { sql } from 'drizzle-orm';
import { check, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { roles } from './contract.js';

export const identitySchema = pgSchema('identity');

export const users = identitySchema.table(
  'users',
  {
    id: uuid('id').primaryKey(),
    // Unique as stored; the check keeps "stored" meaning lower-case, so the unique index
    // is case-insensitive without a functional index or citext.
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    /** `scrypt$N$r$p$salt$hash`; see password.ts. */
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check('users_email_lower_case', sql`${table.email} = lower(${table.email})`),
    check('users_role_known', sql`${table.role} in ('customer', 'admin')`),
  ],
);
