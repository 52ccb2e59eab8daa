/**
 * @module The baseline's event delivery: what the shop's outbox relay does after an order's
 * answer (claim a batch of due rows, deliver each OrderConfirmed to notifications as
 * tx[inbox row, notification row], mark the batch delivered), with the same statements,
 * batch size, lease, nudge delay and four deliveries in flight, written with postgres.js
 * directly. Without it the framework's runs would carry work the baseline never does.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from './baseline-path.js';
import { orderConfirmed } from '../../src/modules/notifications/messages.js';

/** src/kernel/outbox-relay.ts: batch size, lease, nudge delay, poll interval, deliveries in flight. */
const batchSize = 50;
const leaseSeconds = 30;
const nudgeDelayMs = 20;
const pollIntervalMs = 250;
const deliveriesInFlight = 4;

/** Both outboxes the shop's relay claims from, in one statement, as it does. */
const claimOutbox = (schema: string, n: number): string => `"claimed_${n}" as (
        update "${schema}".outbox set locked_until = now() + make_interval(secs => $${2 * n + 1}), attempts = attempts + 1
        where id in (
          select id from "${schema}".outbox
          where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
          order by occurred_at, id limit $${2 * n + 2}
          for update skip locked)
        returning '${schema}'::text as schema, id, event_id, event_type, subscriber, payload, occurred_at, traceparent, attempts)`;
const claim = `with ${claimOutbox('orders', 0)}, ${claimOutbox('shipping', 1)} select * from "claimed_0" union all select * from "claimed_1" order by occurred_at, id`;
const recordInInbox = `insert into "notifications"."inbox" ("event_id", "event_type", "processed_at") values ($1, $2, default) on conflict do nothing returning "event_id"`;
const insertNotification =
  `insert into "notifications"."notifications" ("id", "user_id", "kind", "title", "body", "event_id", "created_at", "recorded_at") ` +
  `values ($1, $2, $3, $4, $5, $6, $7, default) on conflict ("event_id") do nothing returning "id", "user_id", "kind", "title", "body", "event_id", "created_at", "recorded_at"`;
const markDelivered = `with "delivered_0" as (
        update "orders".outbox set status = 'delivered', delivered_at = now(), locked_until = null, last_error = null
        where id = any($1::uuid[]) returning id) select 1`;

interface ConfirmedPayload {
  orderId: string;
  userId: string;
  totalCents: number;
  currency: string;
}

interface Claimed {
  id: string;
  event_id: string;
  event_type: string;
  payload: string | ConfirmedPayload;
  occurred_at: Date;
}

export interface BaselineRelay {
  /** Looks for work soon, as a publication nudges the shop's relay. */
  nudge(): void;
  stop(): Promise<void>;
}

export const startBaselineRelay = (sql: Sql, prepare: boolean): BaselineRelay => {
  let timer: NodeJS.Timeout | undefined;
  let dueAt: number | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const deliver = async (row: Claimed): Promise<void> => {
    await sql.begin(async (tx) => {
      const fresh = await tx.unsafe(recordInInbox, [row.event_id, row.event_type], { prepare });
      if (fresh.length === 0) return;
      // The baseline's path hands postgres.js the payload as JSON text, which it stores as a jsonb string.
      const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as ConfirmedPayload;
      const draft = orderConfirmed(payload); // the notification's text, as the notifications module writes it
      await tx.unsafe(insertNotification, [randomUUID(), draft.userId, draft.kind, draft.title, draft.body, row.event_id, row.occurred_at], { prepare });
    });
  };

  const pollOnce = async (): Promise<boolean> => {
    const claimed = (await sql.unsafe(claim, [leaseSeconds, batchSize, leaseSeconds, batchSize], { prepare })) as unknown as Claimed[];
    const delivered: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(deliveriesInFlight, claimed.length) }, async () => {
        while (next < claimed.length) {
          const row = claimed[next++]!;
          await deliver(row);
          delivered.push(row.id);
        }
      }),
    );
    if (delivered.length > 0) await sql.unsafe(markDelivered, [delivered], { prepare });
    return claimed.length >= batchSize;
  };

  const schedule = (delayMs: number): void => {
    const at = Date.now() + delayMs;
    if (stopped || (dueAt !== undefined && dueAt <= at)) return;
    clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(() => void tick(), delayMs);
  };

  const tick = async (): Promise<void> => {
    dueAt = undefined;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = pollOnce().then(
      (full) => {
        running = undefined;
        schedule(full || again ? 0 : pollIntervalMs);
      },
      (error: unknown) => {
        running = undefined;
        console.log(`  (baseline relay: ${error instanceof Error ? error.message : String(error)})`);
        schedule(pollIntervalMs);
      },
    );
    await running;
  };

  schedule(0);
  return {
    nudge: () => schedule(nudgeDelayMs),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
