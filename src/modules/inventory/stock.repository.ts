/**
 * @module Stock and reservation queries. Every change to `available` is a conditional,
 * atomic UPDATE, so concurrent orders can never take more than there is.
 */
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../../kernel/database.js';
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
    const [row] = await tx.select().from(reservations).where(eq(reservations.id, id)).for('update');
    return row;
  }

  /** Takes `quantity` out of `available` if that much is there; false otherwise. */
  async take(tx: Database, line: ReservationLine): Promise<boolean> {
    const taken = await tx
      .update(stockLevels)
      .set({ available: sql`${stockLevels.available} - ${line.quantity}`, updatedAt: new Date() })
      .where(and(eq(stockLevels.productId, line.productId), sql`${stockLevels.available} >= ${line.quantity}`))
      .returning({ productId: stockLevels.productId });
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
    const [row] = await tx.insert(reservations).values({ id, status: 'RESERVED', items: [...items], expiresAt }).returning();
    return row!;
  }

  async setStatus(tx: Database, id: string, status: ReservationRow['status']): Promise<ReservationRow> {
    const [row] = await tx.update(reservations).set({ status, updatedAt: new Date() }).where(eq(reservations.id, id)).returning();
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
