/**
 * @module What the queue binding puts in Redis: queue names and the options every job carries.
 *
 * The retry policy belongs to the consumer (it knows its handler), but BullMQ only retries a
 * job as often as the job's own `attempts` allow and only with the job's own backoff type. So
 * every job carries a generous attempt ceiling and a backoff type the consumer's worker
 * resolves; the consumer then ends a job at its own `attempts` (see consumer.ts). A producer
 * therefore needs no knowledge of any consumer's policy, and a replay needs none either.
 */
import type { JobsOptions } from 'bullmq';

/** The queue a subscribing module consumes its events from. */
export const eventQueueName = (subscriber: string): string => `seam.events.${subscriber}`;

/** Where a subscriber's events go once they have failed every attempt. */
export const deadEventQueueName = (subscriber: string): string => `seam.dead.${subscriber}`;

/** The most attempts a consumer may configure: the ceiling written on every job. */
export const attemptsCeiling = 100;

/** The backoff type on every job: the consumer's worker computes the delay from its own policy. */
export const consumerBackoffType = 'seam.consumer';

/**
 * Finished jobs are trimmed so Redis memory stays bounded. Completed jobs are kept a while
 * because a job id that still exists makes a second `add` with that id a no-op: a relay that
 * delivers the same outbox row again within that window enqueues nothing. Beyond it the
 * consumer's inbox still makes the redelivery harmless. Failed jobs are moved to the
 * dead-letter queue and removed by the consumer; this bound is only a backstop.
 */
export const retention = {
  completed: { age: 3600, count: 1000 },
  failed: { age: 7 * 24 * 3600, count: 10_000 },
} as const;

/** The options of every job the binding adds. `jobId` makes an add idempotent while the job exists. */
export const jobOptions = (jobId: string): JobsOptions => ({
  jobId,
  attempts: attemptsCeiling,
  backoff: { type: consumerBackoffType },
  removeOnComplete: retention.completed,
  removeOnFail: retention.failed,
});
