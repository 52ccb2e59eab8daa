/**
 * @module Events over BullMQ: one queue per subscribing module (`seam.events.<module>`).
 *
 * The publishing process's outbox relay uses `queueDelivery` as its `deliverRemote`: each
 * delivery adds the envelope as a job whose id is the event id, so a relay that delivers the
 * same outbox row twice enqueues it once while the job exists, and the relay marks the row
 * delivered only after the add resolved. The adds of a relay's batch go to Redis together
 * (gathered-adds.ts), one round trip per queue, each still in a `send` span of its own. The
 * subscribing process runs `startEventConsumer`, whose `handle` is normally
 * `host.deliverLocal(subscriber, event)`: idempotent through the subscriber's inbox, so a job
 * that runs twice has one effect (and, for handlers that share transactions, the jobs the
 * worker runs at once are handled in one).
 */
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { activeOrRemoteParent, remoteParent, traceparentOf } from '../../kernel/call-context.js';
import type { EventEnvelope } from '../../kernel/events.js';
import type { Deliver } from '../../kernel/outbox-relay.js';
import { inSpan, linkTo, SpanKind } from '../../kernel/tracing.js';
import { fieldIssues } from '../../kernel/validation.js';
import { QueueClient, type QueueClientOptions } from './connection.js';
import { startConsumer, type Consumer, type ConsumerOptions } from './consumer.js';
import { GatheredAdds } from './gathered-adds.js';
import { deadEventQueueName, eventQueueName, jobOptions } from './wire.js';

export interface QueueDeliveryOptions extends QueueClientOptions {
  /** The longest one add may take before the relay counts the delivery as failed (default 5 s). */
  readonly timeoutMs?: number;
}

/** A `Deliver` onto subscribers' queues, with `close()` for the connection it holds. */
export interface QueueDelivery extends Deliver {
  /** Deliveries started in the same turn share one `addBulk` per queue. */
  readonly gathers: true;
  close(): Promise<void>;
}

/** Rejects after `ms`; the add may still land, and a retry with the same job id is then a no-op. */
const within = async <T>(work: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Delivers events to subscribers in other processes through their queues.
 *
 * @example
 * const deliverRemote = queueDelivery({ connection: process.env.REDIS_URL! });
 * const host = new ModuleHost({ ..., allModules, deliverRemote });
 */
export const queueDelivery = (options: QueueDeliveryOptions): QueueDelivery => {
  const client = new QueueClient(options, 'producer');
  const adds = new GatheredAdds(client);
  const timeoutMs = options.timeoutMs ?? 5000;
  const deliver = async (subscriber: string, event: EventEnvelope): Promise<void> => {
    const name = eventQueueName(subscriber);
    // The job carries this span's trace, so its consumer's span is this one's child.
    await inSpan(`send ${name}`, { kind: SpanKind.PRODUCER, parent: activeOrRemoteParent(event.traceparent), attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': name, 'messaging.message.id': event.id } }, (span) =>
      within(adds.add(name, event.type, { ...event, traceparent: traceparentOf(span.spanContext()) }, jobOptions(event.id)), timeoutMs, `Enqueueing ${event.type} for ${subscriber}`),
    );
  };
  return Object.assign(deliver, { gathers: true as const, close: () => client.close() });
};

const envelope = z.object({ id: z.string().min(1), type: z.string().min(1), payload: z.unknown(), occurredAt: z.string(), traceparent: z.string().optional() });

const describeIssues = (error: z.ZodError): string => fieldIssues(error).map((issue) => `${issue.field}: ${issue.message}`).join('; ');

export interface EventConsumerOptions extends ConsumerOptions {
  /** The subscribing module whose queue this consumes. */
  readonly subscriber: string;
  /** Processes one event; in production `(event) => host.deliverLocal(subscriber, event)`. */
  readonly handle: (event: EventEnvelope) => Promise<void>;
}

/**
 * Consumes subscriber `options.subscriber`'s events until closed. A failing event is retried
 * with backoff and, after the last attempt, dead-lettered to `seam.dead.<subscriber>`; a job
 * that is not an event envelope at all is dead-lettered at once.
 */
export const startEventConsumer = (options: EventConsumerOptions): Promise<Consumer> => {
  const queueName = eventQueueName(options.subscriber);
  return startConsumer(
    {
      queue: queueName,
      deadQueue: deadEventQueueName(options.subscriber),
      process: async (job) => {
        const parsed = envelope.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`Job ${job.id} is not an event envelope: ${describeIssues(parsed.error)}`);
        const { id, type, payload, occurredAt, traceparent } = parsed.data;
        // Asynchronous work: the sender's span is both the parent (one trace per order) and a link.
        const sent = remoteParent(traceparent);
        const attributes = { 'messaging.system': 'bullmq', 'messaging.operation.type': 'process', 'messaging.destination.name': queueName, 'messaging.message.id': id };
        await inSpan(`process ${queueName}`, { kind: SpanKind.CONSUMER, parent: sent, links: linkTo(sent), attributes }, () =>
          options.handle({ id, type, payload, occurredAt, traceparent }),
        );
      },
    },
    options,
  );
};
