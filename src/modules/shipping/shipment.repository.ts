/**
 * @module Shipment rows and their history. The only file of shipping that writes SQL.
 *
 * A status change locks the shipment's row (SELECT ... FOR UPDATE) before deciding the next
 * status from the current one, so two concurrent changes queue up instead of both moving
 * from the same state; whatever must commit with the change (the outbox row) runs in the
 * same transaction through `after`.
 */
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { sqlStatement, statement, type Database } from '../../kernel/database.js';
import type { Shipment, ShipmentStatus, ShippingAddress, ShippingService } from './contract.js';
import { shipments, trackingEvents } from './schema.js';

export type ShipmentRow = typeof shipments.$inferSelect;

export interface NewShipment {
  readonly id: string;
  readonly orderId: string;
  readonly userId: string;
  readonly service: ShippingService;
  readonly trackingNumber: string;
  readonly address: ShippingAddress;
  readonly weightGrams: number;
}

/** Picks the status a locked shipment moves to; throws to refuse, `undefined` to leave it as it is. */
export type Decide = (current: ShipmentRow) => ShipmentStatus | undefined;

/** Runs inside the transaction of a status change, after it, with the changed shipment. */
export type AfterChange = (tx: Database, shipment: Shipment) => Promise<void>;

export type ShipmentKey = { readonly id: string } | { readonly orderId: string };

/** What the shipping service reads and writes; the repository below is its PostgreSQL implementation. */
export interface ShipmentStore {
  /** Inserts the shipment unless its order has one; returns the order's shipment either way. */
  createOnce(shipment: NewShipment): Promise<{ readonly created: boolean; readonly shipment: Shipment }>;
  find(key: ShipmentKey): Promise<Shipment | undefined>;
  /** Locks the shipment, moves it to what `decide` picks, then runs `after`; undefined when there is no such shipment. */
  change(key: ShipmentKey, decide: Decide, after?: AfterChange): Promise<Shipment | undefined>;
}

const whereKey = (key: ShipmentKey) => ('id' in key ? eq(shipments.id, key.id) : eq(shipments.orderId, key.orderId));

const toShipment = (row: ShipmentRow, history: readonly { status: ShipmentStatus; at: Date }[]): Shipment => ({
  id: row.id,
  orderId: row.orderId,
  userId: row.userId,
  status: row.status,
  service: row.service,
  trackingNumber: row.trackingNumber,
  address: {
    name: row.addressName,
    line1: row.addressLine1,
    city: row.addressCity,
    postalCode: row.addressPostalCode,
    country: row.addressCountry,
  },
  weightGrams: row.weightGrams,
  events: history.map((event) => ({ status: event.status, at: event.at.toISOString() })),
  createdAt: row.createdAt.toISOString(),
});

// The statements every new shipment runs, built once (see `statement` and `sqlStatement`).

const historyFields = { status: trackingEvents.status, at: trackingEvents.at };
const history = statement<{ shipmentId: string }>('shipping.history')(
  (db, p) => db.select(historyFields).from(trackingEvents).where(eq(trackingEvents.shipmentId, p.shipmentId)).orderBy(asc(trackingEvents.id)),
  historyFields,
);

const shipmentColumns = getTableColumns(shipments);
/** The shipment's columns as a WITH query named "created" returns them, in `shipmentColumns`' order. */
const createdColumns = sql.join(
  Object.values(shipmentColumns).map((column) => sql`"created".${sql.identifier(column.name)}`),
  sql`, `,
);
/** A new shipment as its row stores it: the address in columns of its own. */
type ShipmentValues = Omit<NewShipment, 'address'> & Pick<ShipmentRow, 'addressName' | 'addressLine1' | 'addressCity' | 'addressPostalCode' | 'addressCountry'>;
type CreatedRow = ShipmentRow & { readonly eventStatus: ShipmentStatus; readonly eventAt: Date };

/**
 * The shipment and its first tracking event in one statement (both or neither, in one round
 * trip); no row when the order has a shipment already. On a racing insert for the same order,
 * PostgreSQL makes this wait for the other statement and then do nothing: exactly one of them
 * creates the shipment.
 */
const createWithFirstEvent = sqlStatement<ShipmentValues, CreatedRow>('shipping.create')(
  (db, p) => sql`with "created" as ${db
    .insert(shipments)
    .values({
      id: p.id,
      orderId: p.orderId,
      userId: p.userId,
      status: 'CREATED',
      service: p.service,
      trackingNumber: p.trackingNumber,
      addressName: p.addressName,
      addressLine1: p.addressLine1,
      addressCity: p.addressCity,
      addressPostalCode: p.addressPostalCode,
      addressCountry: p.addressCountry,
      weightGrams: p.weightGrams,
    })
    .onConflictDoNothing({ target: shipments.orderId })
    .returning()},
    "event" as (insert into ${trackingEvents} ("shipment_id", "status") select "id", "status" from "created" returning "status", "at")
    select ${createdColumns}, "event"."status", "event"."at" from "created" cross join "event"`,
  { ...shipmentColumns, eventStatus: trackingEvents.status, eventAt: trackingEvents.at },
);

/** The shipment with its history, read in `db` (a transaction, to see its own writes). */
const load = async (db: Database, row: ShipmentRow): Promise<Shipment> => toShipment(row, await history.run(db, { shipmentId: row.id }));

export class ShipmentRepository implements ShipmentStore {
  constructor(private readonly db: Database) {}

  async createOnce(shipment: NewShipment): Promise<{ created: boolean; shipment: Shipment }> {
    const { address, ...rest } = shipment;
    const [created] = await createWithFirstEvent.run(this.db, {
      ...rest,
      addressName: address.name,
      addressLine1: address.line1,
      addressCity: address.city,
      addressPostalCode: address.postalCode,
      addressCountry: address.country,
    });
    if (created) {
      const { eventStatus, eventAt, ...row } = created;
      return { created: true, shipment: toShipment(row, [{ status: eventStatus, at: eventAt }]) };
    }
    // The order has its shipment already (made by an earlier call, or one that raced this one).
    const existing = await this.find({ orderId: shipment.orderId });
    if (!existing) throw new Error(`shipment of order ${shipment.orderId} vanished while creating it`);
    return { created: false, shipment: existing };
  }

  async find(key: ShipmentKey): Promise<Shipment | undefined> {
    const [row] = await this.db.select().from(shipments).where(whereKey(key)).limit(1);
    return row ? load(this.db, row) : undefined;
  }

  async change(key: ShipmentKey, decide: Decide, after?: AfterChange): Promise<Shipment | undefined> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select().from(shipments).where(whereKey(key)).for('update');
      if (!current) return undefined;
      const next = decide(current);
      if (next === undefined) return load(tx, current);
      const [updated] = await tx
        .update(shipments)
        .set({ status: next, updatedAt: new Date() })
        // The lock already rules out a concurrent change; the status condition says so in SQL too.
        .where(and(eq(shipments.id, current.id), eq(shipments.status, current.status)))
        .returning();
      if (!updated) throw new Error(`shipment ${current.id} changed under its lock`);
      await tx.insert(trackingEvents).values({ shipmentId: current.id, status: next });
      const shipment = await load(tx, updated);
      await after?.(tx, shipment);
      return shipment;
    });
  }
}
