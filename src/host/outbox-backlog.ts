/**
 * @module How far behind an outbox is: rows not yet delivered and how long the oldest has
 * waited. Read by the metrics at each scrape and by the dashboard's outbox page.
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Database } from '../kernel/database.js';

export interface OutboxBacklog {
  readonly pending: number;
  /** Seconds the oldest pending row has waited; 0 when none waits. */
  readonly oldestPendingSeconds: number;
}

export const outboxBacklog = async (db: Database, schema: string): Promise<OutboxBacklog> => {
  const [row] = await selectRows<{ pending: number; age: number }>(
    db,
    sql`select count(*)::int as pending, coalesce(extract(epoch from now() - min(occurred_at)), 0)::float8 as age
        from ${sql.identifier(schema)}.outbox where status = 'pending'`,
  );
  return { pending: Number(row?.pending ?? 0), oldestPendingSeconds: Number(row?.age ?? 0) };
};
