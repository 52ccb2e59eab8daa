/**
 * @module The outbox relay's statements: claiming due rows, marking them delivered, failed or
 * dead, and replaying dead ones. Every statement is built from the drizzle table in
 * outbox-tables.ts, the same one module migrations are generated from, so the relay can never
 * disagree with the table about a name or a type.
 *
 * Claiming and marking reach every outbox in one statement (a CTE per schema): per event,
 * only its delivery costs round trips. drizzle's builders do not compose such a statement (a
 * union over several data-modifying CTEs), so those two put drizzle's UPDATE builders in a
 * hand-written `with` and decode the rows by the same table's columns.
 */
import { and, eq, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { selectRows, type Database } from './database.js';
import { outboxTable, type OutboxRow, type OutboxTable } from './outbox-tables.js';

/** What the relay reads of a claimed row, and which outbox (schema) it is in. */
export type ClaimedRow = Pick<OutboxRow, 'id' | 'eventId' | 'eventType' | 'subscriber' | 'payload' | 'occurredAt' | 'traceparent' | 'attempts'> & {
  readonly schema: string;
};

export interface DeadLetter {
  readonly id: string;
  readonly schema: string;
  readonly subscriber: string;
  readonly eventType: string;
  readonly eventId: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

export interface OutboxStoreOptions {
  readonly db: Database;
  /** Schemas whose outbox is read and written. */
  readonly schemas: readonly string[];
  readonly leaseSeconds: number;
  /** The most rows claimed from one outbox at a time. */
  readonly batchSize: number;
}

export interface OutboxStore {
  /** Leases up to a batch of due rows from each outbox, oldest first across all of them. */
  claim(): Promise<ClaimedRow[]>;
  /** Marks delivered rows, every outbox in one statement. */
  markDelivered(rows: readonly ClaimedRow[]): Promise<void>;
  /** Puts a row back in line after `delayMs`, recording why its delivery failed. */
  retryLater(row: ClaimedRow, delayMs: number, error: string): Promise<void>;
  /** Parks a row as dead, recording why its last delivery failed. */
  markDead(row: ClaimedRow, error: string): Promise<void>;
  /** Rows parked as dead, oldest first, outbox by outbox. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Puts a dead row back in line with a fresh attempt count; false when there is no such dead row. */
  replay(schema: string, id: string): Promise<boolean>;
}

const claimedColumns = (outbox: OutboxTable) => ({
  id: outbox.id,
  eventId: outbox.eventId,
  eventType: outbox.eventType,
  subscriber: outbox.subscriber,
  payload: outbox.payload,
  occurredAt: outbox.occurredAt,
  traceparent: outbox.traceparent,
  attempts: outbox.attempts,
});

/** A raw row of the claim (keyed by column name, as the driver returns it) decoded as drizzle decodes that column. */
const decodeClaimed = (columns: ReturnType<typeof claimedColumns>, raw: Record<string, unknown>): ClaimedRow => {
  const row: Record<string, unknown> = { schema: raw['schema'] };
  for (const [key, column] of Object.entries(columns)) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  // Every key of ClaimedRow was set above from the column of the same name.
  return row as ClaimedRow;
};

export const outboxStore = (options: OutboxStoreOptions): OutboxStore => {
  const { db, schemas } = options;
  const tables = new Map<string, OutboxTable>();
  const tableOf = (schema: string): OutboxTable => {
    let table = tables.get(schema);
    if (!table) tables.set(schema, (table = outboxTable(pgSchema(schema))));
    return table;
  };

  /** Built once: the lease, the batch size and the schemas never change for a relay. */
  const claimStatement = ((): SQL | undefined => {
    if (schemas.length === 0) return undefined;
    const ctes = schemas.map((schema, n) => {
      const outbox = tableOf(schema);
      const due = db
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, sql`now()`), or(isNull(outbox.lockedUntil), lt(outbox.lockedUntil, sql`now()`))))
        .orderBy(outbox.occurredAt, outbox.id)
        .limit(options.batchSize)
        .for('update', { skipLocked: true });
      const lease = db
        .update(outbox)
        .set({ lockedUntil: sql`now() + make_interval(secs => ${options.leaseSeconds})`, attempts: sql`${outbox.attempts} + 1` })
        .where(inArray(outbox.id, due))
        .returning(claimedColumns(outbox));
      return sql`${sql.identifier(`claimed_${n}`)} as (${lease.getSQL()})`;
    });
    const union = sql.join(
      schemas.map((schema, n) => sql`select ${schema}::text as schema, * from ${sql.identifier(`claimed_${n}`)}`),
      sql` union all `,
    );
    const { occurredAt, id } = claimedColumns(tableOf(schemas[0]!));
    // Ordered in SQL, at the database's microsecond precision: RETURNING has no order of its own.
    return sql`with ${sql.join(ctes, sql`, `)} ${union} order by ${sql.identifier(occurredAt.name)}, ${sql.identifier(id.name)}`;
  })();

  return {
    async claim() {
      if (claimStatement === undefined) return [];
      const columns = claimedColumns(tableOf(schemas[0]!));
      const rows = await selectRows(db, claimStatement);
      return rows.map((raw) => decodeClaimed(columns, raw));
    },

    async markDelivered(rows) {
      const touched = schemas.filter((schema) => rows.some((row) => row.schema === schema));
      if (touched.length === 0) return;
      const ctes = touched.map((schema, n) => {
        const outbox = tableOf(schema);
        // The ids as one array: one statement text whatever their number.
        const ids = rows.filter((row) => row.schema === schema).map((row) => row.id);
        const mark = db
          .update(outbox)
          .set({ status: 'delivered', deliveredAt: sql`now()`, lockedUntil: null, lastError: null })
          .where(sql`${outbox.id} = any(${sql.param(ids)}::uuid[])`)
          .returning({ id: outbox.id });
        return sql`${sql.identifier(`delivered_${n}`)} as (${mark.getSQL()})`;
      });
      await db.execute(sql`with ${sql.join(ctes, sql`, `)} select 1`);
    },

    async retryLater(row, delayMs, error) {
      const outbox = tableOf(row.schema);
      await db
        .update(outbox)
        .set({ nextAttemptAt: sql`now() + make_interval(secs => ${delayMs / 1000})`, lockedUntil: null, lastError: error })
        .where(eq(outbox.id, row.id));
    },

    async markDead(row, error) {
      const outbox = tableOf(row.schema);
      await db.update(outbox).set({ status: 'dead', lockedUntil: null, lastError: error }).where(eq(outbox.id, row.id));
    },

    async deadLetters() {
      const letters: DeadLetter[] = [];
      for (const schema of schemas) {
        const outbox = tableOf(schema);
        const rows = await db
          .select({ id: outbox.id, subscriber: outbox.subscriber, eventType: outbox.eventType, eventId: outbox.eventId, attempts: outbox.attempts, lastError: outbox.lastError })
          .from(outbox)
          .where(eq(outbox.status, 'dead'))
          .orderBy(outbox.occurredAt);
        letters.push(...rows.map((row) => ({ ...row, schema })));
      }
      return letters;
    },

    async replay(schema, id) {
      const outbox = tableOf(schema);
      const rows = await db
        .update(outbox)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, lockedUntil: null })
        .where(and(eq(outbox.id, id), eq(outbox.status, 'dead')))
        .returning({ id: outbox.id });
      return rows.length > 0;
    },
  };
};
