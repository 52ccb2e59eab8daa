/**
 * @module The outbox relay: delivers pending outbox rows, retries failures with backoff, and
 * parks rows that keep failing as `dead` for inspection and replay.
 *
 * Rows are claimed with a lease (`locked_until`) taken under FOR UPDATE SKIP LOCKED, so
 * several relays (replicas) share the work without delivering a row twice at once, and a
 * relay that dies mid-delivery only delays its rows until the lease runs out.
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Database } from './database.js';
import type { EventEnvelope } from './events.js';
import type { Logger } from './logger.js';

/** Hands an event to a subscriber: in process, or onto a queue in a split deployment. */
export type Deliver = (subscriber: string, event: EventEnvelope) => Promise<void>;

export interface OutboxRelayOptions {
  readonly db: Database;
  /** Schemas whose outbox this relay drains. */
  readonly schemas: readonly string[];
  readonly deliver: Deliver;
  readonly logger: Logger;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** Attempts before a row is parked as dead. */
  readonly maxAttempts?: number;
  /** Delay before retry n (1-based); default exponential from 200 ms, capped at 60 s, full jitter. */
  readonly backoffMs?: (attempt: number) => number;
  readonly leaseSeconds?: number;
}

export interface DeadLetter {
  readonly id: string;
  readonly schema: string;
  readonly subscriber: string;
  readonly eventType: string;
  readonly eventId: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

interface ClaimedRow extends Record<string, unknown> {
  id: string;
  event_id: string;
  event_type: string;
  subscriber: string;
  payload: unknown;
  occurred_at: string | Date;
  attempts: number;
}

const defaultBackoff = (attempt: number): number => Math.random() * Math.min(60_000, 200 * 2 ** attempt);

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);

export class OutboxRelay {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    if (!this.#stopped || this.options.schemas.length === 0) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Looks for work soon, without waiting for the next poll. */
  nudge(): void {
    if (!this.#stopped) this.#schedule(5);
  }

  /** Delivers everything due now; resolves with how many rows were delivered. For tests and tools. */
  async drain(): Promise<number> {
    let delivered = 0;
    for (let pass = 0; pass < 1000; pass += 1) {
      const count = await this.#pollOnce();
      if (count === 0) return delivered;
      delivered += count;
    }
    return delivered;
  }

  /** Rows that failed `maxAttempts` times. */
  async deadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (const schema of this.options.schemas) {
      const rows = await selectRows<{ id: string; subscriber: string; event_type: string; event_id: string; attempts: number; last_error: string | null }>(
        this.options.db,
        sql`select id, subscriber, event_type, event_id, attempts, last_error from ${sql.identifier(schema)}.outbox
            where status = 'dead' order by occurred_at`,
      );
      letters.push(
        ...rows.map((row) => ({
          id: row.id,
          schema,
          subscriber: row.subscriber,
          eventType: row.event_type,
          eventId: row.event_id,
          attempts: row.attempts,
          lastError: row.last_error,
        })),
      );
    }
    return letters;
  }

  /** Puts a dead row back in line with a fresh attempt count. */
  async replay(schema: string, id: string): Promise<boolean> {
    const rows = await selectRows<{ id: string }>(
      this.options.db,
      sql`update ${sql.identifier(schema)}.outbox set status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = null
          where id = ${id} and status = 'dead' returning id`,
    );
    if (rows.length > 0) this.nudge();
    return rows.length > 0;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      await this.#running;
    }
    this.#running = this.#pollOnce().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'outbox relay poll failed');
      return 0;
    });
    const delivered = await this.#running;
    this.#running = undefined;
    if (this.#stopped) return;
    // A full batch suggests more is waiting: go again at once.
    this.#schedule(delivered >= (this.options.batchSize ?? 50) ? 0 : (this.options.pollIntervalMs ?? 250));
  }

  async #pollOnce(): Promise<number> {
    let delivered = 0;
    for (const schema of this.options.schemas) delivered += await this.#drainSchema(schema);
    return delivered;
  }

  async #drainSchema(schema: string): Promise<number> {
    const { db, logger } = this.options;
    const table = sql`${sql.identifier(schema)}.outbox`;
    const lease = this.options.leaseSeconds ?? 30;
    // Ordered in SQL, at the database's microsecond precision: RETURNING has no order of its own.
    const claimed = await selectRows<ClaimedRow>(
      db,
      sql`with claimed as (
            update ${table} set locked_until = now() + make_interval(secs => ${lease}), attempts = attempts + 1
            where id in (
              select id from ${table}
              where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
              order by occurred_at, id limit ${this.options.batchSize ?? 50}
              for update skip locked)
            returning id, event_id, event_type, subscriber, payload, occurred_at, attempts)
          select * from claimed order by occurred_at, id`,
    );
    let delivered = 0;
    for (const row of claimed) {
      const event: EventEnvelope = {
        id: row.event_id,
        type: row.event_type,
        payload: row.payload,
        occurredAt: new Date(row.occurred_at).toISOString(),
      };
      try {
        await this.options.deliver(row.subscriber, event);
        await db.execute(sql`update ${table} set status = 'delivered', delivered_at = now(), locked_until = null, last_error = null where id = ${row.id}`);
        delivered += 1;
      } catch (error) {
        const dead = row.attempts >= (this.options.maxAttempts ?? 8);
        const delayMs = Math.round((this.options.backoffMs ?? defaultBackoff)(row.attempts));
        await db.execute(
          dead
            ? sql`update ${table} set status = 'dead', locked_until = null, last_error = ${describe(error)} where id = ${row.id}`
            : sql`update ${table} set next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}), locked_until = null,
                  last_error = ${describe(error)} where id = ${row.id}`,
        );
        logger[dead ? 'error' : 'warn'](
          { err: error, subscriber: row.subscriber, eventType: row.event_type, eventId: row.event_id, attempts: row.attempts },
          dead ? 'event delivery failed for the last time; parked as dead' : 'event delivery failed; will retry',
        );
      }
    }
    return delivered;
  }
}
