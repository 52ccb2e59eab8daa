/**
 * @module Stock and reservation queries. Every change to `available` is a conditional,
 * atomic UPDATE, so concurrent orders can never take more than there is.
 */
import { and, asc, eq, getTableColumns, inArray, lt, sql } from 'drizzle-orm';
import { setTo, sqlStatement, statement, type Database } from '../../kernel/database.js';
import type { Reservation, StockLevel } from './contract.js';
import { reservations, stockLevels } from './schema.js';

export interface ReservationLine {
  readonly productId: string;
  readonly quantity: number;
}

type ReservationRow = typeof reservations.$inferSelect;

export const toReservation = (row: ReservationRow): Reservation => ({
  reservationId: row.id,
  status: row.status,
  items: row.items,
  expiresAt: row.expiresAt.toISOString(),
});

// The checkout path's statements, built once (see `statement` and `sqlStatement`).

const reservationColumns = getTableColumns(reservations);
/** The reservation's columns by name, in `reservationColumns`' order, for hand-written SQL. */
const reservationColumnNames = sql.join(
  Object.values(reservationColumns).map((column) => sql.identifier(column.name)),
  sql`, `,
);

const lockReservation = statement<{ id: string }>('inventory.lock-reservation')(
  (db, p) => db.select().from(reservations).where(eq(reservations.id, p.id)).for('update'),
  reservationColumns,
);

/** A reservation row, or nulls where there is none; with the products that were short. */
type ReserveRow = { readonly [Column in keyof ReservationRow]: ReservationRow[Column] | null } & { readonly short: string[] };

/**
 * Reserves in one statement, so all of it happens or none, without a transaction around it:
 * an existing reservation with the id is the answer; otherwise the stock rows are locked in
 * product order (concurrent reservations queue instead of deadlocking), and only if every line
 * is there is the reservation inserted and the stock taken. Its one row holds the reservation
 * (an earlier one, or this one), or none and the products that were short, or neither when a
 * concurrent reserve with the same id inserted first (its row is the answer then).
 */
const reserve = sqlStatement<{ id: string; items: ReservationLine[]; expiresAt: Date }, ReserveRow>('inventory.reserve')(
  (_, p) => {
    const items = setTo(reservations.items, p.items);
    return sql`with
      "wanted" as (select "productId" as "product_id", "quantity" from jsonb_to_recordset(${items}::jsonb) as "line"("productId" text, "quantity" integer)),
      "existing" as (select ${reservationColumnNames} from ${reservations} where "id" = ${p.id}),
      "locked" as materialized (
        select "product_id", "available" from ${stockLevels} where "product_id" in (select "product_id" from "wanted") order by "product_id" for update),
      "short" as (select "product_id" from "wanted" left join "locked" using ("product_id") where coalesce("available", 0) < "quantity"),
      "inserted" as (
        insert into ${reservations} ("id", "status", "items", "expires_at")
        select ${p.id}::text, 'RESERVED', ${items}::jsonb, ${setTo(reservations.expiresAt, p.expiresAt)}::timestamptz
        where not exists (select from "existing") and not exists (select from "short")
        on conflict ("id") do nothing
        returning ${reservationColumnNames}),
      "taken" as (
        update ${stockLevels} set "available" = "stock_levels"."available" - "wanted"."quantity", "updated_at" = now()
        from "wanted" where "stock_levels"."product_id" = "wanted"."product_id" and exists (select from "inserted"))
    select ${reservationColumnNames}, array(select "product_id" from "short" order by "product_id") as "short"
    from (select * from "existing" union all select * from "inserted") as "reservation" right join (select) as "one" on true`;
  },
  // The array of short products comes back as the driver parses it.
  { ...reservationColumns, short: sql<string[]>`short`.as('short') },
);

/** RESERVED to COMMITTED in one statement; no row when the reservation is not RESERVED (or not there). */
const commitReserved = statement<{ id: string }>('inventory.commit-reserved')(
  (db, p) =>
    db
      .update(reservations)
      .set({ status: 'COMMITTED', updatedAt: sql`now()` })
      .where(and(eq(reservations.id, p.id), eq(reservations.status, 'RESERVED')))
      .returning(),
  reservationColumns,
);

const setStatus = statement<{ id: string; status: ReservationRow['status']; now: Date }>('inventory.set-reservation-status')(
  (db, p) =>
    db
      .update(reservations)
      .set({ status: setTo(reservations.status, p.status), updatedAt: setTo(reservations.updatedAt, p.now) })
      .where(eq(reservations.id, p.id))
      .returning(),
  reservationColumns,
);

/** How a reservation went: reserved (now or before), short of stock, or lost to a concurrent reserve with the same id. */
export type ReserveOutcome =
  | { readonly kind: 'reserved'; readonly row: ReservationRow }
  | { readonly kind: 'short'; readonly productIds: readonly string[] }
  | { readonly kind: 'raced' };

export class StockRepository {
  constructor(private readonly db: Database) {}

  async levels(productIds: readonly string[]): Promise<StockLevel[]> {
    const rows = await this.db
      .select({ productId: stockLevels.productId, available: stockLevels.available })
      .from(stockLevels)
      .where(inArray(stockLevels.productId, [...productIds]));
    const byId = new Map(rows.map((row) => [row.productId, row.available]));
    return productIds.map((productId) => ({ productId, available: byId.get(productId) ?? 0 }));
  }

  async set(productId: string, available: number): Promise<StockLevel> {
    await this.db
      .insert(stockLevels)
      .values({ productId, available })
      .onConflictDoUpdate({ target: stockLevels.productId, set: { available, updatedAt: new Date() } });
    return { productId, available };
  }

  /** The reservation, locked for the rest of `tx` so its status cannot change under us. */
  async lockReservation(tx: Database, id: string): Promise<ReservationRow | undefined> {
    const [row] = await lockReservation.run(tx, { id });
    return row;
  }

  /**
   * Reserves `lines` (one per product, in product order) under `id` until `expiresAt`, all or
   * nothing; an existing reservation with this id is returned as it is, taking nothing.
   */
  async reserve(id: string, lines: readonly ReservationLine[], expiresAt: Date): Promise<ReserveOutcome> {
    const [row] = await reserve.run(this.db, { id, items: [...lines], expiresAt });
    if (!row) throw new Error(`reserving ${id} returned no row`);
    // The statement returns every column of a reservation or none of them.
    if (row.id !== null) return { kind: 'reserved', row: row as ReservationRow };
    return row.short.length > 0 ? { kind: 'short', productIds: row.short } : { kind: 'raced' };
  }

  /** Commits a RESERVED reservation: the row, or undefined when it is not RESERVED (or not there). */
  async commitReserved(id: string): Promise<ReservationRow | undefined> {
    const [row] = await commitReserved.run(this.db, { id });
    return row;
  }

  async giveBack(tx: Database, line: ReservationLine): Promise<void> {
    await tx
      .insert(stockLevels)
      .values({ productId: line.productId, available: line.quantity })
      .onConflictDoUpdate({
        target: stockLevels.productId,
        set: { available: sql`${stockLevels.available} + ${line.quantity}`, updatedAt: new Date() },
      });
  }

  async setStatus(tx: Database, id: string, status: ReservationRow['status']): Promise<ReservationRow> {
    const [row] = await setStatus.run(tx, { id, status, now: new Date() });
    return row!;
  }

  async findReservation(id: string): Promise<ReservationRow | undefined> {
    const [row] = await this.db.select().from(reservations).where(eq(reservations.id, id));
    return row;
  }

  /** Ids of reservations past their expiry and still holding stock, oldest first. */
  async expired(limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: reservations.id })
      .from(reservations)
      .where(and(eq(reservations.status, 'RESERVED'), lt(reservations.expiresAt, new Date())))
      .orderBy(asc(reservations.expiresAt))
      .limit(limit);
    return rows.map((row) => row.id);
  }

  async isEmpty(): Promise<boolean> {
    const [row] = await this.db.select({ id: stockLevels.productId }).from(stockLevels).limit(1);
    return row === undefined;
  }
}
