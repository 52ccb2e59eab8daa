/**
 * @module The outbox relay: delivers pending outbox rows, retries failures with backoff, and
 * parks rows that keep failing as `dead` for inspection and replay.
 *
 * Rows are claimed with a lease (`locked_until`) taken under FOR UPDATE SKIP LOCKED, so
 * several relays (replicas) share the work without delivering a row twice at once, and a
 * relay that dies mid-delivery only delays its rows until the lease runs out.
 *
 * A poll is one statement that claims a batch from every outbox, the deliveries (started in
 * the order the events occurred: a few at a time, or all at once where the delivery gathers
 * them into one round trip, as a queue's `addBulk` or a shared inbox transaction does), and
 * one statement that marks what was delivered. Marking a batch at its end instead of after
 * each delivery means a relay that dies in between delivers those events again once their
 * lease lapses, which consumers already absorb (their inbox makes a redelivery change
 * nothing); a batch that takes half its lease marks what it delivered so far, so a living
 * relay's deliveries are marked before their lease lapses. The statements themselves are in
 * outbox-store.ts.
 */
import { outsideCall, remoteParent } from './call-context.js';
import type { Database } from './database.js';
import type { EventEnvelope } from './events.js';
import type { Logger } from './logger.js';
import { outboxStore, type ClaimedRow, type DeadLetter, type OutboxStore } from './outbox-store.js';
import { countDelivery } from './metrics.js';
import { inSpan } from './tracing.js';

export type { DeadLetter } from './outbox-store.js';

/** Hands an event to a subscriber: in process, or onto a queue in a split deployment. */
export interface Deliver {
  (subscriber: string, event: EventEnvelope): Promise<void>;
  /**
   * True when deliveries started in the same turn of the event loop travel together (a
   * queue's one `addBulk` for all of them). The relay itself asks `OutboxRelayOptions.gathers`,
   * which the module host derives from this and from its local handlers.
   */
  readonly gathers?: boolean;
}

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
  /**
   * Deliveries in flight at once (default 4). They start in the order the events occurred
   * but may finish in any order; subscribers never could count on order anyway, since a failed
   * delivery is retried after later ones and a queue's worker runs jobs concurrently.
   */
  readonly deliveryConcurrency?: number;
  /**
   * Whether `deliver` gathers the deliveries of `type` to `subscriber` that start together into
   * one round trip or transaction: those rows of a batch are all started at once, and only the
   * others count against `deliveryConcurrency`. Default: none do.
   */
  readonly gathers?: (subscriber: string, type: string) => boolean;
}

/**
 * How long a nudge waits before polling: publications that arrive meanwhile join the same
 * batch instead of each paying for a claim and a mark of its own.
 */
const nudgeDelayMs = 20;

const defaultLeaseSeconds = 30;
const defaultBatchSize = 50;

const defaultBackoff = (attempt: number): number => Math.random() * Math.min(60_000, 200 * 2 ** attempt);

/** What one poll did: rows delivered, and whether some outbox filled its batch (more may wait). */
interface PollOutcome {
  readonly delivered: number;
  readonly full: boolean;
}

const envelopeOf = (row: ClaimedRow): EventEnvelope => ({
  id: row.eventId,
  type: row.eventType,
  payload: row.payload,
  occurredAt: row.occurredAt.toISOString(),
  ...(row.traceparent === null ? {} : { traceparent: row.traceparent }),
});

/**
 * Deliveries in flight at once. One at a time, an in-process delivery (a transaction per
 * event) capped the relay at about 55 events/s, below the rate a busy module publishes.
 * Four keeps most of a 10-connection pool for
 * requests.
 */
const defaultDeliveryConcurrency = 4;

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);

export class OutboxRelay {
  #timer: NodeJS.Timeout | undefined;
  /** When the scheduled poll runs (ms since the epoch); undefined when none is scheduled. */
  #dueAt: number | undefined;
  #running: Promise<PollOutcome> | undefined;
  /** A tick came while a poll was running. */
  #pollAgain = false;
  #stopped = true;
  readonly #store: OutboxStore;
  readonly #leaseSeconds: number;
  readonly #batchSize: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.#leaseSeconds = options.leaseSeconds ?? defaultLeaseSeconds;
    this.#batchSize = options.batchSize ?? defaultBatchSize;
    this.#store = outboxStore({ db: options.db, schemas: options.schemas, leaseSeconds: this.#leaseSeconds, batchSize: this.#batchSize });
  }

  start(): void {
    if (!this.#stopped || this.options.schemas.length === 0) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#dueAt = undefined;
    await this.#running;
  }

  /** Looks for work soon, without waiting for the next poll. */
  nudge(): void {
    if (!this.#stopped) this.#schedule(nudgeDelayMs);
  }

  /** Delivers everything due now; resolves with how many rows were delivered. For tests and tools. */
  async drain(): Promise<number> {
    let delivered = 0;
    for (let pass = 0; pass < 1000; pass += 1) {
      const count = (await this.#pollOnce()).delivered;
      if (count === 0) return delivered;
      delivered += count;
    }
    return delivered;
  }

  /** Rows that failed `maxAttempts` times. */
  deadLetters(): Promise<DeadLetter[]> {
    return this.#store.deadLetters();
  }

  /** Puts a dead row back in line with a fresh attempt count. */
  async replay(schema: string, id: string): Promise<boolean> {
    const replayed = await this.#store.replay(schema, id);
    if (replayed) this.nudge();
    return replayed;
  }

  /** Polls in `delayMs`, unless a poll is already due by then. */
  #schedule(delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    if (this.#dueAt !== undefined && this.#dueAt <= dueAt) return;
    clearTimeout(this.#timer);
    this.#dueAt = dueAt;
    // A nudge comes from inside the publishing call; the poll is nobody's call.
    this.#timer = outsideCall(() => setTimeout(() => void this.#tick(), delayMs));
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    this.#dueAt = undefined;
    if (this.#stopped) return;
    // One poll at a time, so stop() has one to wait for: a tick that comes while a poll runs
    // leaves it to that poll to go again when it ends.
    if (this.#running) {
      this.#pollAgain = true;
      return;
    }
    this.#pollAgain = false;
    this.#running = this.#pollOnce().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'outbox relay poll failed');
      return { delivered: 0, full: false };
    });
    const { full } = await this.#running;
    this.#running = undefined;
    if (this.#stopped) return;
    // A full batch suggests more is waiting, and a tick that came meanwhile was due already:
    // go again at once. A nudge scheduled during the poll keeps its earlier time.
    this.#schedule(full || this.#pollAgain ? 0 : (this.options.pollIntervalMs ?? 250));
  }

  /**
   * Claims a batch from every outbox, delivers it (the rows whose deliveries gather all at
   * once, the others with up to `deliveryConcurrency` in flight; each started in the order the
   * events occurred), and marks what was delivered.
   */
  async #pollOnce(): Promise<PollOutcome> {
    const claimedAt = Date.now();
    const claimed = await this.#store.claim();
    // Marks wait for the end of the batch, unless half the lease has gone by: a delivered row
    // must be marked before its lease lapses, or another relay would deliver it again.
    const markBy = claimedAt + (this.#leaseSeconds * 1000) / 2;
    let delivered: ClaimedRow[] = [];
    let deliveredCount = 0;
    let marked: Promise<void> = Promise.resolve();
    const deliverRow = async (row: ClaimedRow): Promise<void> => {
      try {
        await this.#deliver(row);
        countDelivery(row.schema, 'delivered');
        delivered.push(row);
        deliveredCount += 1;
      } catch (error) {
        await this.#failed(row, error);
      }
      if (Date.now() >= markBy && delivered.length > 0) {
        const due = delivered;
        delivered = [];
        // One mark at a time, so two deliveries never mark concurrently.
        marked = marked.then(() => this.#store.markDelivered(due));
        await marked;
      }
    };
    const together: ClaimedRow[] = [];
    const inTurn: ClaimedRow[] = [];
    for (const row of claimed) (this.options.gathers?.(row.subscriber, row.eventType) ? together : inTurn).push(row);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < inTurn.length) await deliverRow(inTurn[next++]!);
    };
    const lanes = Math.max(1, Math.min(this.options.deliveryConcurrency ?? defaultDeliveryConcurrency, inTurn.length));
    // Settled, not Promise.all: a delivery that fails must not end the poll while others deliver.
    const outcomes = await Promise.allSettled([...together.map(deliverRow), ...Array.from({ length: lanes }, lane)]);
    await marked;
    await this.#store.markDelivered(delivered);
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    const full = this.options.schemas.some((schema) => claimed.filter((row) => row.schema === schema).length >= this.#batchSize);
    return { delivered: deliveredCount, full };
  }

  /** Hands `row` to its subscriber, in a span of the trace that published it. */
  #deliver(row: ClaimedRow): Promise<void> {
    const attributes = { 'messaging.destination.name': row.subscriber, 'messaging.message.id': row.eventId, 'seam.delivery.attempt': row.attempts };
    return inSpan(`relay ${row.eventType}`, { parent: remoteParent(row.traceparent), attributes }, () => this.options.deliver(row.subscriber, envelopeOf(row)));
  }

  /** Puts a row whose delivery failed back in line after its backoff, or parks it as dead. */
  async #failed(row: ClaimedRow, error: unknown): Promise<void> {
    const dead = row.attempts >= (this.options.maxAttempts ?? 8);
    if (dead) await this.#store.markDead(row, describe(error));
    else await this.#store.retryLater(row, Math.round((this.options.backoffMs ?? defaultBackoff)(row.attempts)), describe(error));
    countDelivery(row.schema, dead ? 'dead' : 'retried');
    this.options.logger[dead ? 'error' : 'warn'](
      { err: error, subscriber: row.subscriber, eventType: row.eventType, eventId: row.eventId, attempts: row.attempts },
      dead ? 'event delivery failed for the last time; parked as dead' : 'event delivery failed; will retry',
    );
  }
}
