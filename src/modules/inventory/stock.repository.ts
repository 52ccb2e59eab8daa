/**
 * @module Stock and reservation queries. Every change to `available` is a conditional,
 * atomic UPDATE, so concurrent orders can never take more than there is.
 */
import { and, asc, eq, getTableColumns, inArray, lt, sql } from 'drizzle-orm';
import { setTo, statement, type Database } from '../../kernel/database.js';
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

// The checkout path's statements, built once (see `statement`).

const reservationColumns = getTableColumns(reservations);

const lockReservation = statement<{ id: string }>('inventory.lock-reservation')(
  (db, p) => db.select().from(reservations).where(eq(reservations.id, p.id)).for('update'),
  reservationColumns,
);

const take = statement<ReservationLine & { now: Date }>('inventory.take')(
  (db, p) =>
    db
      .update(stockLevels)
      .set({ available: sql`${stockLevels.available} - ${p.quantity}`, updatedAt: setTo(stockLevels.updatedAt, p.now) })
      .where(and(eq(stockLevels.productId, p.productId), sql`${stockLevels.available} >= ${p.quantity}`))
      .returning({ productId: stockLevels.productId }),
  { productId: stockLevels.productId },
);

const insertReservation = statement<{ id: string; items: ReservationLine[]; expiresAt: Date }>('inventory.insert-reservation')(
  (db, p) => db.insert(reservations).values({ id: p.id, status: 'RESERVED', items: p.items, expiresAt: p.expiresAt }).returning(),
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

  /** Takes `quantity` out of `available` if that much is there; false otherwise. */
  async take(tx: Database, line: ReservationLine): Promise<boolean> {
    const taken = await take.run(tx, { productId: line.productId, quantity: line.quantity, now: new Date() });
    return taken.length > 0;
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

  async insertReservation(tx: Database, id: string, items: readonly ReservationLine[], expiresAt: Date): Promise<ReservationRow> {
    const [row] = await insertReservation.run(tx, { id, items: [...items], expiresAt });
    return row!;
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
