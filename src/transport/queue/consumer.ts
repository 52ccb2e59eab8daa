/**
 * @module A BullMQ worker with Seam's failure policy: retries with the consumer's backoff, and a
 * dead-letter queue for jobs that fail every attempt. Each subscriber's event queue runs on one.
 *
 * Jobs carry an attempt ceiling and a backoff type this worker resolves (see wire.ts); the
 * processor ends a job at the consumer's own `attempts` by turning its last failure into an
 * UnrecoverableError. A job that fails for good is copied to the dead-letter queue from the
 * worker's 'failed' event and removed from the failed set; a sweep at start, and after a job
 * stalled, moves any the process did not get to (it died in between, or BullMQ's stalled
 * checker failed a job that stalled too often, which raises no 'failed' event).
 */
import { Backoffs, UnrecoverableError, Worker, type BackoffOptions, type Job } from 'bullmq';
import { SeamError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { QueueClient, type QueueClientOptions } from './connection.js';
import { parkJob } from './dead-letters.js';
import { attemptsCeiling, retention } from './wire.js';

/** How a consumer retries: BullMQ's fixed or exponential backoff, in milliseconds. */
export interface RetryBackoff extends BackoffOptions {
  readonly type: 'fixed' | 'exponential';
  readonly delay: number;
}

export interface ConsumerOptions extends QueueClientOptions {
  /** Jobs this process runs at once (default 10). Above 1, jobs may finish out of order. */
  readonly concurrency?: number;
  /** Attempts, the first included, before a job is dead-lettered (default 8, at most 100). */
  readonly attempts?: number;
  /** Delay before each retry (default exponential from 1 s: 1, 2, 4, ... s, with 20 % jitter). */
  readonly backoff?: RetryBackoff;
  readonly logger?: Logger;
}

/** What a consumer runs: the queue, where its dead letters go, and the work per job. */
export interface ConsumerSpec {
  readonly queue: string;
  readonly deadQueue: string;
  /** Does the job's work; throw UnrecoverableError for a failure no retry can fix. */
  readonly process: (job: Job) => Promise<void>;
}

export interface Consumer {
  /** Stops taking jobs, lets running ones finish, parks the last failures, then disconnects. */
  close(): Promise<void>;
}

const defaultBackoff: RetryBackoff = { type: 'exponential', delay: 1000, jitter: 0.2 };

/** One line for a dead letter: a SeamError by its code, which survives processes; others by name. */
export const describeError = (error: unknown): string =>
  (error instanceof SeamError ? `${error.code}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);

/** The error as it was before the processor wrapped it to stop retries. */
const originalError = (error: Error): unknown => (error instanceof UnrecoverableError && error.cause !== undefined ? error.cause : error);

/** Wraps `error` so BullMQ runs the job no more; the dead letter still names `error`. */
const finalFailure = (error: unknown): UnrecoverableError => {
  const final = new UnrecoverableError(error instanceof Error ? error.message : String(error));
  final.cause = error;
  return final;
};

export const startConsumer = async (spec: ConsumerSpec, options: ConsumerOptions): Promise<Consumer> => {
  const attempts = options.attempts ?? 8;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > attemptsCeiling) {
    throw new Error(`attempts must be an integer from 1 to ${attemptsCeiling}, not ${attempts}`);
  }
  const backoff = options.backoff ?? defaultBackoff;
  const strategy = Backoffs.builtinStrategies[backoff.type];
  if (!strategy) throw new Error(`Unknown backoff type ${backoff.type}`);
  const logger = options.logger?.child({ queue: spec.queue });
  const client = new QueueClient(options, 'worker');
  const deadQueue = client.queue(spec.deadQueue);
  let closing: Promise<void> | undefined;
  /** Parks in progress, by job id, so the 'failed' event and a sweep never park one job twice at once. */
  const parking = new Map<string, Promise<void>>();

  const park = (job: Job, error: string): void => {
    const id = job.id;
    if (id === undefined || parking.has(id)) return;
    const moved = parkJob(deadQueue, job, error)
      .then(() => logger?.error({ jobId: id, name: job.name, attempts: job.attemptsMade, error }, 'job failed for the last time; dead-lettered'))
      .catch((parkError: unknown) => logger?.error({ err: parkError, jobId: id }, 'could not dead-letter a failed job; the next sweep will'))
      .finally(() => parking.delete(id));
    parking.set(id, moved);
  };

  /** Parks whatever sits in the failed set: left by a process that died, or by the stalled checker. */
  const sweep = async (): Promise<void> => {
    for (const job of await client.queue(spec.queue).getFailed(0, 999)) park(job, job.failedReason || 'unknown error');
  };

  const worker = new Worker(
    spec.queue,
    async (job: Job) => {
      try {
        await spec.process(job);
      } catch (error) {
        if (error instanceof UnrecoverableError || job.attemptsMade + 1 < attempts) throw error;
        throw finalFailure(error);
      }
    },
    {
      connection: client.redis,
      prefix: client.prefix,
      concurrency: options.concurrency ?? 10,
      // For jobs added without the binding's options (another producer): still bounded.
      removeOnComplete: retention.completed,
      // Resolves the jobs' `seam.consumer` backoff type with this consumer's policy.
      settings: { backoffStrategy: strategy(backoff.delay, backoff.jitter) },
    },
  );
  worker.on('error', (error) => logger?.error({ err: error }, 'queue worker error'));
  worker.on('failed', (job, error) => {
    if (!job) return;
    // 'failed' fires for every failed attempt; only a job that will not run again has finished.
    if (job.finishedOn === undefined && job.attemptsMade < (job.opts.attempts ?? 1)) {
      logger?.warn({ jobId: job.id, name: job.name, attempts: job.attemptsMade, error: describeError(originalError(error)) }, 'job failed; will retry');
      return;
    }
    park(job, describeError(originalError(error)));
  });

  // A job that stalled too often is failed by BullMQ's stalled checker without a 'failed' event.
  worker.on('stalled', () => {
    if (!closing) void sweep().catch((error: unknown) => logger?.error({ err: error }, 'dead-letter sweep failed'));
  });

  try {
    await worker.waitUntilReady();
    await sweep();
  } catch (error) {
    await worker.close(true);
    await client.close();
    throw error;
  }

  return {
    close: () =>
      (closing ??= (async () => {
        await worker.close();
        await Promise.allSettled([...parking.values()]);
        await client.close();
      })()),
  };
};
