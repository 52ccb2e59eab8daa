/**
 * @module Writing events to a module's outbox, and consuming them exactly once via its inbox.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { traceparentOf } from './call-context.js';
import { inSpan, SpanKind } from './tracing.js';
import type { AnyContract } from './contract.js';
import { statement, type Database, type Statement } from './database.js';
import { Internal } from './errors.js';
import { eventType, type EventEnvelope, type EventHandler, type EventPublisher } from './events.js';
import { inboxTable, outboxTable } from './outbox-tables.js';
import { fieldIssues } from './validation.js';

export interface OutboxPublisherOptions<P extends AnyContract> {
  readonly contract: P;
  /** The publishing module's schema, which holds its `outbox` table. */
  readonly schema: string;
  /** The modules subscribed to an event type, wherever they run. */
  readonly subscribersOf: (type: string) => readonly string[];
  /** Called after each publication so a relay can look sooner than its next poll. */
  readonly onPublished?: () => void;
}

/** An event's values for its outbox rows: `id<n>` and `subscriber<n>` for row n, the rest shared. */
type PublishValues = Record<string, unknown>;

/** The insert of an event for `count` subscribers into `schema`'s outbox, built once per schema and count. */
const publishStatements = new Map<string, Statement<PublishValues, unknown>>();
const publishStatement = (schema: string, count: number): Statement<PublishValues, unknown> => {
  const key = `${schema}.${count}`;
  let found = publishStatements.get(key);
  if (!found) {
    const outbox = outboxTable(pgSchema(schema));
    // Placeholders by name: how many rows there are is only known here.
    const p = sql.placeholder;
    found = statement<PublishValues>(`outbox.publish.${key}`)((db) =>
      db.insert(outbox).values(
        Array.from({ length: count }, (_, n) => ({
          id: p(`id${n}`),
          eventId: p('eventId'),
          eventType: p('eventType'),
          subscriber: p(`subscriber${n}`),
          payload: p('payload'),
          traceparent: p('traceparent'),
          // clock_timestamp(), not the JS clock: microseconds, so two events published in the same
          // millisecond keep their order when the relay delivers them.
          occurredAt: sql`clock_timestamp()`,
        })),
      ),
    );
    publishStatements.set(key, found);
  }
  return found;
};

/** A publisher that stores each event as one outbox row per subscriber. */
export const outboxPublisher = <P extends AnyContract>(options: OutboxPublisherOptions<P>): EventPublisher<P> => ({
  async publish(tx, event, payload) {
    const spec = options.contract.events[event];
    if (!spec) throw new Error(`${options.contract.id} declares no event ${event}`);
    const parsed = spec.payload.safeParse(payload);
    if (!parsed.success) {
      throw Internal.create(`${options.contract.id}#${event} payload breaks its contract`, { errors: fieldIssues(parsed.error) });
    }
    const id = randomUUID();
    const type = eventType(options.contract, event);
    const subscribers = options.subscribersOf(type);
    if (subscribers.length === 0) return id;
    // The row keeps this span's trace: its delivery and every handler continue it.
    await inSpan(`publish ${type}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'seam.outbox', 'messaging.destination.name': options.schema } }, async (span) => {
      const values: PublishValues = { eventId: id, eventType: type, payload: parsed.data, traceparent: traceparentOf(span.spanContext()) };
      subscribers.forEach((subscriber, n) => {
        values[`id${n}`] = randomUUID();
        values[`subscriber${n}`] = subscriber;
      });
      await publishStatement(options.schema, subscribers.length).run(tx, values);
    });
    options.onPublished?.();
    return id;
  },
});

/** Recording an event in `schema`'s inbox, built once per schema: a row back when it is new. */
const inboxStatements = new Map<string, Statement<{ eventId: string; eventType: string }, { eventId: string }[]>>();
const inboxStatement = (schema: string): Statement<{ eventId: string; eventType: string }, { eventId: string }[]> => {
  let found = inboxStatements.get(schema);
  if (!found) {
    const inbox = inboxTable(pgSchema(schema));
    const returned = { eventId: inbox.eventId };
    found = statement<{ eventId: string; eventType: string }>(`inbox.record.${schema}`)(
      (db, p) => db.insert(inbox).values({ eventId: p.eventId, eventType: p.eventType }).onConflictDoNothing().returning(returned),
      returned,
    );
    inboxStatements.set(schema, found);
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
    const claimed = await inboxStatement(schema).run(tx, { eventId: event.id, eventType: event.type });
    if (claimed.length === 0) return false;
    await handler(event, tx);
    return true;
  });
