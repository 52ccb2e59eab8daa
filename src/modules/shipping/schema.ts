/**
 * @module The shipping tables, all in the `shipping` PostgreSQL schema.
 *
 * One `shipments` row per order (order_id is unique): that constraint, not a lookup, is what
 * makes creating a shipment idempotent per order when two calls race. Every status change
 * appends a `tracking_events` row in the same transaction, so the history never disagrees
 * with the status.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, char, index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { outboxTable } from '../../kernel/outbox-tables.js';

export const shippingSchema = pgSchema('shipping');

const statuses = ['CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED'] as const;
const services = ['standard', 'express'] as const;

export const shipments = shippingSchema.table(
  'shipments',
  {
    id: uuid('id').primaryKey(),
    /** The orders module's id: a plain value, no foreign key across schemas. */
    orderId: text('order_id').notNull().unique(),
    userId: text('user_id').notNull(),
    status: text('status', { enum: statuses }).notNull(),
    service: text('service', { enum: services }).notNull(),
    trackingNumber: text('tracking_number').notNull().unique(),
    addressName: text('address_name').notNull(),
    addressLine1: text('address_line1').notNull(),
    addressCity: text('address_city').notNull(),
    addressPostalCode: text('address_postal_code').notNull(),
    addressCountry: char('address_country', { length: 2 }).notNull(),
    weightGrams: integer('weight_grams').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check('shipments_weight_grams_positive', sql`${table.weightGrams} > 0`),
    check('shipments_status_known', sql`${table.status} in ('CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED')`),
    check('shipments_service_known', sql`${table.service} in ('standard', 'express')`),
  ],
);

export const trackingEvents = shippingSchema.table(
  'tracking_events',
  {
    // An identity, not a timestamp, orders the history: two steps may share a clock tick.
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    shipmentId: uuid('shipment_id')
      .notNull()
      .references(() => shipments.id),
    status: text('status', { enum: statuses }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('tracking_events_shipment_id_idx').on(table.shipmentId, table.id)],
);

/** ShipmentDispatched and ShipmentDelivered wait here until the relay delivers them. */
export const outbox = outboxTable(shippingSchema);
