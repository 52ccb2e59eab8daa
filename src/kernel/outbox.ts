/**
 * @module Writing events to a module's outbox, and consuming them exactly once via its inbox.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AnyContract } from './contract.js';
import { selectRows, type Database } from './database.js';
import { Internal } from './errors.js';
import { eventType, type EventEnvelope, type EventHandler, type EventPublisher } from './events.js';
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
    const table = sql`${sql.identifier(options.schema)}.outbox`;
    // clock_timestamp(), not the JS clock: microseconds, so two events published in the same
    // millisecond keep their order when the relay delivers them.
    const rows = subscribers.map(
      (subscriber) => sql`(${randomUUID()}, ${id}, ${type}, ${subscriber}, ${JSON.stringify(parsed.data)}::jsonb, clock_timestamp())`,
    );
    await tx.execute(
      sql`insert into ${table} (id, event_id, event_type, subscriber, payload, occurred_at) values ${sql.join(rows, sql`, `)}`,
    );
    options.onPublished?.();
    return id;
  },
});

/**
 * Runs `handler` for `event` unless the consumer's inbox shows it was already processed.
 * The inbox row and the handler's writes share one transaction: both happen or neither.
 * A concurrent redelivery waits on the inbox row's key and then finds it taken.
 */
export const consumeOnce = async (db: Database, schema: string, event: EventEnvelope, handler: EventHandler): Promise<boolean> =>
  db.transaction(async (tx) => {
    const claimed = await selectRows<{ event_id: string }>(
      tx,
      sql`insert into ${sql.identifier(schema)}.inbox (event_id, event_type) values (${event.id}, ${event.type})
          on conflict do nothing returning event_id`,
    );
    if (claimed.length === 0) return false;
    await handler(event, tx);
    return true;
  });
