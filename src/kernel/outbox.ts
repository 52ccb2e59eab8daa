/**
 * @module Writing events to a module's outbox (consuming them through an inbox is in inbox.ts).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { traceparentOf } from './call-context.js';
import { inSpan, SpanKind } from './tracing.js';
import type { AnyContract } from './contract.js';
import { statement, type Statement } from './database.js';
import { Internal } from './errors.js';
import { eventType, type EventPublisher } from './events.js';
import { outboxTable } from './outbox-tables.js';
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
