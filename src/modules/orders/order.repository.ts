/**
 * @module Order rows and the checkout state kept on them: SQL only, no checkout decisions.
 * The only file of orders that writes SQL. Leases arrive as plain values (an owner id and a
 * number of seconds); what they mean and when to take them is checkout's business.
 *
 * The checkout path's statements are built once (`statement`); the rest, rarely run, as usual.
 */
import { and, desc, eq, getTableColumns, isNull, lt, lte, ne, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { setTo, statement, type Database, type Placeholders, type Statement } from '../../kernel/database.js';
import type { Order } from './contract.js';
import { orders, type SagaStep } from './schema.js';

export type OrderRow = typeof orders.$inferSelect;
/** What placing an order decides; the checkout columns start as `insertLeased` sets them. */
export type NewOrder = Pick<
  typeof orders.$inferInsert,
  'id' | 'userId' | 'idempotencyKey' | 'requestHash' | 'items' | 'itemsCents' | 'shippingCents' | 'totalCents' | 'currency' | 'weightGrams' | 'shippingAddress'
>;

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

/** Fields a checkout step records as it moves on. */
export type StepChanges = Partial<Pick<OrderRow, 'paymentId' | 'paymentLast4' | 'shipmentId' | 'cancellationReason' | 'cancellationDetails' | 'status'>>;

/** Where a postponed checkout stands: the step to retry, its attempt number, and what to record with it. */
export interface PostponedStep {
  readonly step: SagaStep;
  readonly attempts: number;
  readonly changes: StepChanges;
}

/** Every column, in table order: what `select()` and `returning()` give. */
const orderColumns = getTableColumns(orders);

/** A lease's values, as placeholders. */
interface LeaseValues {
  owner: string;
  leaseSeconds: number;
}

const leaseUntil = (p: Placeholders<LeaseValues>) => sql`now() + make_interval(secs => ${p.leaseSeconds})`;

/** Free, lapsed, or already `owner`'s. */
const claimable = (owner: Placeholder | string): SQL =>
  or(isNull(orders.sagaLeaseUntil), lt(orders.sagaLeaseUntil, sql`now()`), eq(orders.sagaOwner, owner)) as SQL;

const insertLeased = statement<NewOrder & LeaseValues>('orders.insert-pending')(
  (db, p) =>
    db
      .insert(orders)
      .values({
        id: p.id,
        userId: p.userId,
        idempotencyKey: p.idempotencyKey,
        requestHash: p.requestHash,
        status: 'PENDING',
        items: p.items,
        itemsCents: p.itemsCents,
        shippingCents: p.shippingCents,
        totalCents: p.totalCents,
        currency: p.currency,
        weightGrams: p.weightGrams,
        shippingAddress: p.shippingAddress,
        sagaStep: 'reserve',
        sagaLeaseUntil: leaseUntil(p),
        sagaOwner: p.owner,
      })
      .onConflictDoNothing({ target: [orders.userId, orders.idempotencyKey] })
      .returning(),
  orderColumns,
);

const findByKey = statement<{ userId: string; idempotencyKey: string }>('orders.find-by-key')(
  (db, p) => db.select().from(orders).where(and(eq(orders.userId, p.userId), eq(orders.idempotencyKey, p.idempotencyKey))),
  orderColumns,
);

const findById = statement<{ id: string }>('orders.find')((db, p) => db.select().from(orders).where(eq(orders.id, p.id)), orderColumns);

const claim = statement<{ id: string } & LeaseValues>('orders.claim')(
  (db, p) =>
    db
      .update(orders)
      .set({ sagaLeaseUntil: leaseUntil(p), sagaOwner: setTo(orders.sagaOwner, p.owner) })
      .where(and(eq(orders.id, p.id), ne(orders.sagaStep, 'done'), claimable(p.owner)))
      .returning(),
  orderColumns,
);

type ChangedField = keyof StepChanges;
type AdvanceValues = StepChanges & LeaseValues & { id: string; next: SagaStep };

/**
 * Recording a step, one statement per shape: which fields change, and whether checkout ends
 * (then its lease is cleared). A handful of shapes exist (one per step and outcome).
 */
const advanceStatements = new Map<string, Statement<AdvanceValues, OrderRow[]>>();
const advanceStatement = (changed: readonly ChangedField[], done: boolean): Statement<AdvanceValues, OrderRow[]> => {
  const key = `${done ? 'done' : 'step'}:${changed.join(',')}`;
  let found = advanceStatements.get(key);
  if (!found) {
    found = statement<AdvanceValues>(`orders.advance.${key}`)(
      (db, p) =>
        db
          .update(orders)
          .set({
            ...Object.fromEntries(changed.map((field) => [field, setTo(orderColumns[field], p[field])])),
            sagaStep: setTo(orders.sagaStep, p.next),
            sagaAttempts: 0,
            sagaNextAt: sql`now()`,
            sagaLeaseUntil: done ? null : leaseUntil(p),
            sagaOwner: done ? null : setTo(orders.sagaOwner, p.owner),
            updatedAt: sql`now()`,
          })
          .where(and(eq(orders.id, p.id), eq(orders.sagaOwner, p.owner)))
          .returning(),
      orderColumns,
    );
    advanceStatements.set(key, found);
  }
  return found;
};

/** The fields of `changes` that are set, in a fixed order, so one shape is one statement. */
const changedFields = (changes: StepChanges): ChangedField[] =>
  (['paymentId', 'paymentLast4', 'shipmentId', 'cancellationReason', 'cancellationDetails', 'status'] as const).filter((field) => changes[field] !== undefined);

export class OrderRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts a new PENDING order at the first checkout step, leased to `owner` for
   * `leaseSeconds` from the start; undefined if the user already used this idempotency key.
   */
  async insertLeased(order: NewOrder, owner: string, leaseSeconds: number): Promise<OrderRow | undefined> {
    const [row] = await insertLeased.run(this.db, { ...order, owner, leaseSeconds });
    return row;
  }

  async findByKey(userId: string, idempotencyKey: string): Promise<OrderRow | undefined> {
    const [row] = await findByKey.run(this.db, { userId, idempotencyKey });
    return row;
  }

  async find(id: string): Promise<OrderRow | undefined> {
    const [row] = await findById.run(this.db, { id });
    return row;
  }

  async listForUser(userId: string, limit: number): Promise<OrderRow[]> {
    return this.db.select().from(orders).where(eq(orders.userId, userId)).orderBy(desc(orders.createdAt), desc(orders.id)).limit(limit);
  }

  /**
   * Takes (or renews) the checkout's lease for `owner` if nobody else holds it: the row, or
   * undefined if another owner holds it or checkout is done.
   */
  async claim(id: string, owner: string, leaseSeconds: number): Promise<OrderRow | undefined> {
    const [row] = await claim.run(this.db, { id, owner, leaseSeconds });
    return row;
  }

  /**
   * Records a finished step and the next one, if `owner` still holds the lease (renewed for
   * `leaseSeconds`, or cleared when `next` is done); undefined when it does not.
   */
  async recordStep(tx: Database, id: string, next: SagaStep, changes: StepChanges, owner: string, leaseSeconds: number): Promise<OrderRow | undefined> {
    const [row] = await advanceStatement(changedFields(changes), next === 'done').run(tx, { ...changes, id, next, owner, leaseSeconds });
    return row;
  }

  /**
   * Records a failed attempt at `at.step` (the attempt's number, and what steps before it
   * changed that was not recorded yet) and sets the next one `retryInMs` from now, if `owner`
   * holds the lease. With `keepLeaseSeconds` the lease stays `owner`'s until that long after
   * the retry time; without, it is released.
   */
  async postpone(id: string, owner: string, at: PostponedStep, retryInMs: number, keepLeaseSeconds?: number): Promise<void> {
    const retryAt = sql`now() + make_interval(secs => ${retryInMs / 1000})`;
    await this.db
      .update(orders)
      .set({
        ...at.changes,
        sagaStep: at.step,
        sagaAttempts: at.attempts,
        sagaNextAt: retryAt,
        sagaLeaseUntil: keepLeaseSeconds === undefined ? null : sql`now() + make_interval(secs => ${retryInMs / 1000 + keepLeaseSeconds})`,
        sagaOwner: keepLeaseSeconds === undefined ? null : owner,
        updatedAt: sql`now()`,
      })
      .where(and(eq(orders.id, id), eq(orders.sagaOwner, owner)));
  }

  /**
   * Turns a confirmed order whose checkout is done back to `compensate` for `reason`: the row,
   * or undefined when it is not (any more) confirmed and done.
   */
  async beginCancellation(id: string, reason: string): Promise<OrderRow | undefined> {
    const [row] = await this.db
      .update(orders)
      .set({ sagaStep: 'compensate', cancellationReason: reason, sagaNextAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(orders.id, id), eq(orders.status, 'CONFIRMED'), eq(orders.sagaStep, 'done')))
      .returning();
    return row;
  }

  /** Ids of unfinished checkouts that are due and whose lease `owner` may take, longest due first. */
  async dueCheckouts(limit: number, owner: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(ne(orders.sagaStep, 'done'), lte(orders.sagaNextAt, sql`now()`), claimable(owner)))
      .orderBy(orders.sagaNextAt)
      .limit(limit);
    return rows.map((row) => row.id);
  }
}
