/**
 * @module Order rows and the saga state kept on them. The only file of orders that writes SQL.
 */
import { and, desc, eq, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../kernel/database.js';
import type { Order } from './contract.js';
import { orders, type SagaStep } from './schema.js';

export type OrderRow = typeof orders.$inferSelect;
export type NewOrder = Omit<typeof orders.$inferInsert, 'status' | 'sagaStep' | 'sagaOwner' | 'sagaLeaseUntil' | 'createdAt' | 'updatedAt'>;

/** Who is running a saga, and for how long its claim holds. */
export interface Runner {
  readonly id: string;
  readonly leaseSeconds: number;
}

const leaseFor = (runner: Runner) => sql`now() + make_interval(secs => ${runner.leaseSeconds})`;

export const toOrder = (row: OrderRow): Order => ({
  id: row.id,
  userId: row.userId,
  status: row.status,
  items: row.items,
  itemsCents: row.itemsCents,
  shippingCents: row.shippingCents,
  totalCents: row.totalCents,
  currency: row.currency,
  shippingAddress: row.shippingAddress,
  shipmentId: row.shipmentId,
  paymentLast4: row.paymentLast4,
  cancellationReason: row.cancellationReason,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Fields a saga step records as it moves on. */
export type StepChanges = Partial<Pick<OrderRow, 'paymentId' | 'paymentLast4' | 'shipmentId' | 'cancellationReason' | 'cancellationDetails' | 'status'>>;

export class OrderRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts a new PENDING order, leased to `runner` from the start (it holds the card); undefined
   * if the user already used this idempotency key.
   */
  async insertPending(order: NewOrder, runner: Runner): Promise<OrderRow | undefined> {
    const [row] = await this.db
      .insert(orders)
      .values({ ...order, status: 'PENDING', sagaStep: 'reserve', sagaOwner: runner.id, sagaLeaseUntil: leaseFor(runner) })
      .onConflictDoNothing({ target: [orders.userId, orders.idempotencyKey] })
      .returning();
    return row;
  }

  async findByKey(userId: string, idempotencyKey: string): Promise<OrderRow | undefined> {
    const [row] = await this.db.select().from(orders).where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, idempotencyKey)));
    return row;
  }

  async find(id: string): Promise<OrderRow | undefined> {
    const [row] = await this.db.select().from(orders).where(eq(orders.id, id));
    return row;
  }

  async listForUser(userId: string, limit: number): Promise<OrderRow[]> {
    return this.db.select().from(orders).where(eq(orders.userId, userId)).orderBy(desc(orders.createdAt), desc(orders.id)).limit(limit);
  }

  /**
   * Takes (or renews) the saga's lease for `runner` if nobody else holds it: the row, or
   * undefined if another runner is on it or the saga is done.
   */
  async claim(id: string, runner: Runner): Promise<OrderRow | undefined> {
    const [row] = await this.db
      .update(orders)
      .set({ sagaLeaseUntil: leaseFor(runner), sagaOwner: runner.id })
      .where(and(eq(orders.id, id), ne(orders.sagaStep, 'done'), this.#claimable(runner)))
      .returning();
    return row;
  }

  /**
   * Records a finished step and the next one, if `runner` still owns the saga; undefined when
   * its lease lapsed and another runner took over (its result must then not be recorded).
   */
  async advance(tx: Database, id: string, next: SagaStep, changes: StepChanges, runner: Runner): Promise<OrderRow | undefined> {
    const [row] = await tx
      .update(orders)
      .set({
        ...changes,
        sagaStep: next,
        sagaAttempts: 0,
        sagaNextAt: sql`now()`,
        sagaLeaseUntil: next === 'done' ? null : leaseFor(runner),
        sagaOwner: next === 'done' ? null : runner.id,
        updatedAt: sql`now()`,
      })
      .where(and(eq(orders.id, id), eq(orders.sagaOwner, runner.id)))
      .returning();
    return row;
  }

  /**
   * Puts the saga aside after a transient failure, to be retried after `delayMs`. With
   * `keepLease` (this runner holds something only it has, the card) the lease is kept past
   * the retry, so no other runner takes the saga over while this one lives.
   */
  async postpone(id: string, delayMs: number, runner: Runner, keepLease: boolean): Promise<void> {
    const retryAt = sql`now() + make_interval(secs => ${delayMs / 1000})`;
    await this.db
      .update(orders)
      .set({
        sagaAttempts: sql`${orders.sagaAttempts} + 1`,
        sagaNextAt: retryAt,
        sagaLeaseUntil: keepLease ? sql`now() + make_interval(secs => ${delayMs / 1000 + runner.leaseSeconds})` : null,
        sagaOwner: keepLease ? runner.id : null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(orders.id, id), eq(orders.sagaOwner, runner.id)));
  }

  /**
   * Turns a confirmed order towards cancellation, if it is confirmed and no saga runs on it:
   * the row, or undefined when another change got there first.
   */
  async beginCancellation(id: string, reason: string): Promise<OrderRow | undefined> {
    const [row] = await this.db
      .update(orders)
      .set({ sagaStep: 'compensate', cancellationReason: reason, sagaNextAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(orders.id, id), eq(orders.status, 'CONFIRMED'), eq(orders.sagaStep, 'done')))
      .returning();
    return row;
  }

  /** Ids of unfinished sagas that are due and that `runner` may take. */
  async dueSagas(limit: number, runner: Runner): Promise<string[]> {
    const rows = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(ne(orders.sagaStep, 'done'), lte(orders.sagaNextAt, sql`now()`), this.#claimable(runner)))
      .orderBy(orders.sagaNextAt)
      .limit(limit);
    return rows.map((row) => row.id);
  }

  /** Free, lapsed, or already this runner's. */
  #claimable(runner: Runner): SQL {
    return or(isNull(orders.sagaLeaseUntil), lt(orders.sagaLeaseUntil, sql`now()`), eq(orders.sagaOwner, runner.id)) as SQL;
  }
}
