/**
 * @module Consuming events exactly once through a module's inbox: one event per transaction,
 * or, for handlers that allow it, the events that arrive together in one transaction.
 *
 * The inbox row and the handler's writes always share a transaction, so both happen or
 * neither. Sharing it among several events saves a BEGIN, an inbox insert and a COMMIT per
 * event, at a price a handler has to accept: when any event of the group fails, the whole
 * transaction rolls back and every event of the group is handled again in a transaction of
 * its own. A handler whose only effects are its writes through `tx` cannot tell the
 * difference, because the call that rolled back left nothing behind; one that also acts
 * outside the database (sends a mail) would act twice, so sharing is opt-in.
 */
import { context, type Context } from '@opentelemetry/api';
import { sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { sqlStatement, statement, type Database, type Statement } from './database.js';
import type { EventEnvelope, EventHandler } from './events.js';
import { inboxTable } from './outbox-tables.js';

type InboxKeys = { eventId: string; eventType: string };

/** Recording one event in `schema`'s inbox, built once per schema: a row back when it is new. */
const recordOne = new Map<string, Statement<InboxKeys, { eventId: string }[]>>();
const recordOneStatement = (schema: string): Statement<InboxKeys, { eventId: string }[]> => {
  let found = recordOne.get(schema);
  if (!found) {
    const inbox = inboxTable(pgSchema(schema));
    const returned = { eventId: inbox.eventId };
    found = statement<InboxKeys>(`inbox.record.${schema}`)(
      (db, p) => db.insert(inbox).values({ eventId: p.eventId, eventType: p.eventType }).onConflictDoNothing().returning(returned),
      returned,
    );
    recordOne.set(schema, found);
  }
  return found;
};

type InboxKeyLists = { eventIds: string[]; eventTypes: string[] };

/**
 * Recording several events in one statement: the ids go in as arrays, so the statement text
 * is the same whatever their number. It answers with the positions (1-based) of the events
 * that were new, rather than their ids, so no spelling of a uuid can make a new event look
 * processed; an id given twice is new only at its first position. Rows go in in id order, so
 * two groups that share events (a redelivery) wait for each other instead of deadlocking.
 */
const recordMany = new Map<string, Statement<InboxKeyLists, { position: number }[]>>();
const recordManyStatement = (schema: string): Statement<InboxKeyLists, { position: number }[]> => {
  let found = recordMany.get(schema);
  if (!found) {
    const inbox = inboxTable(pgSchema(schema));
    const eventId = sql.identifier(inbox.eventId.name);
    const eventType = sql.identifier(inbox.eventType.name);
    found = sqlStatement<InboxKeyLists, { position: number }>(`inbox.record-many.${schema}`)(
      (_, p) => sql`with "given" as (select * from unnest(${p.eventIds}::uuid[], ${p.eventTypes}::text[]) with ordinality as t(${eventId}, ${eventType}, "position")),
        "recorded" as (insert into ${inbox} (${eventId}, ${eventType}) select ${eventId}, ${eventType} from "given" order by ${eventId} on conflict do nothing returning ${eventId})
        select min("given"."position")::int as "position" from "given" join "recorded" using (${eventId}) group by ${eventId}`,
      { position: sql<number>`position`.as('position') },
    );
    recordMany.set(schema, found);
  }
  return found;
};

/**
 * Runs `handler` for `event` unless the consumer's inbox shows it was already processed.
 * The inbox row and the handler's writes share one transaction: both happen or neither.
 * A concurrent redelivery waits on the inbox row's key and then finds it taken.
 */
export const consumeOnce = async (db: Database, schema: string, event: EventEnvelope, handler: EventHandler): Promise<boolean> =>
  db.transaction(async (tx) => {
    const claimed = await recordOneStatement(schema).run(tx, { eventId: event.id, eventType: event.type });
    if (claimed.length === 0) return false;
    await handler(event, tx);
    return true;
  });

export interface InboxBatcherOptions {
  readonly db: Database;
  /** The consuming module's schema, which holds its `inbox` table. */
  readonly schema: string;
  /** The most events in one transaction (default 100). */
  readonly maxBatch?: number;
  /** Transactions in flight at once; events that arrive meanwhile wait for the next (default 2). */
  readonly maxInFlight?: number;
}

interface Waiting {
  readonly event: EventEnvelope;
  readonly handler: EventHandler;
  /** The caller's context: its handler runs in it, so its spans and call context are its own. */
  readonly context: Context;
  readonly resolve: (handled: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Consumes events into one inbox, several to a transaction: those that arrive while earlier
 * transactions are in flight (or in the same turn of the event loop) go together in the next.
 * No timer holds an event back: a lone event starts at once, and the groups grow only when
 * events arrive faster than transactions commit.
 */
export class InboxBatcher {
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;
  #flushScheduled = false;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;

  constructor(private readonly options: InboxBatcherOptions) {
    this.#maxBatch = options.maxBatch ?? 100;
    this.#maxInFlight = options.maxInFlight ?? 2;
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) throw new Error(`maxBatch must be a positive integer, not ${this.#maxBatch}`);
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) throw new Error(`maxInFlight must be a positive integer, not ${this.#maxInFlight}`);
  }

  /**
   * Like `consumeOnce`: resolves true once `event` was handled and committed, false when the
   * inbox held it already; rejects when its handler failed (the others of its group unharmed).
   */
  consume(event: EventEnvelope, handler: EventHandler): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#waiting.push({ event, handler, context: context.active(), resolve, reject });
      this.#scheduleFlush();
    });
  }

  /** On the next turn, so callers of the same turn share a transaction. */
  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#inFlight >= this.#maxInFlight) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      while (this.#waiting.length > 0 && this.#inFlight < this.#maxInFlight) {
        const group = this.#waiting.splice(0, this.#maxBatch);
        this.#inFlight += 1;
        void this.#consume(group).finally(() => {
          this.#inFlight -= 1;
          if (this.#waiting.length > 0) this.#scheduleFlush();
        });
      }
    });
  }

  async #consume(group: readonly Waiting[]): Promise<void> {
    if (group.length === 1) return this.#alone(group[0]!);
    const { db } = this.options;
    let fresh: ReadonlySet<number>;
    try {
      // The transaction's span (when spans are recorded) goes in the first event's trace.
      fresh = await context.with(group[0]!.context, () => db.transaction((tx) => this.#inOneTransaction(tx, group)));
    } catch {
      // Someone's handler (or the commit) failed and took the group down: each event again in
      // a transaction of its own, so the failure stays with the event that caused it.
      for (const waiting of group) await this.#alone(waiting);
      return;
    }
    // Committed, so every new event's handler ran.
    for (const [index, waiting] of group.entries()) waiting.resolve(fresh.has(index));
  }

  /** Records the group in the inbox in one statement, then runs the handler of each event that was new: their positions in the group. */
  async #inOneTransaction(tx: Database, group: readonly Waiting[]): Promise<ReadonlySet<number>> {
    const eventIds = group.map((waiting) => waiting.event.id);
    const eventTypes = group.map((waiting) => waiting.event.type);
    const fresh = new Set((await recordManyStatement(this.options.schema).run(tx, { eventIds, eventTypes })).map((row) => row.position - 1));
    for (const [index, waiting] of group.entries()) {
      if (fresh.has(index)) await context.with(waiting.context, () => waiting.handler(waiting.event, tx));
    }
    return fresh;
  }

  async #alone(waiting: Waiting): Promise<void> {
    try {
      waiting.resolve(await context.with(waiting.context, () => consumeOnce(this.options.db, this.options.schema, waiting.event, waiting.handler)));
    } catch (error) {
      waiting.reject(error);
    }
  }
}
