/**
 * @module Dead letters: jobs that failed every attempt, parked in a queue of their own
 * (`seam.dead.<module>` for events) to be inspected and replayed.
 *
 * A dead letter is a copy of the failed job (where it came from, its name, its data) plus the
 * last error. Nothing consumes a dead-letter queue, so its jobs wait there until replayed:
 * dead letters are never trimmed, because dropping one would lose an event silently.
 */
import type { Job, Queue } from 'bullmq';
import { z } from 'zod';
import { withQueueClient, type QueueClient, type QueueClientOptions } from './connection.js';
import { deadEventQueueName, jobOptions } from './wire.js';

/** A job that failed every attempt. */
export interface DeadLetter {
  /** The failed job's id, kept as the dead letter's: for events, the event id. */
  readonly id: string;
  /** The queue it failed on, and goes back to when replayed. */
  readonly queue: string;
  /** The job's name: the event type. */
  readonly name: string;
  /** The job's data: the event envelope. */
  readonly data: unknown;
  readonly attempts: number;
  readonly error: string;
  /** ISO 8601. */
  readonly failedAt: string;
}

const deadLetterData = z.object({
  queue: z.string(),
  name: z.string(),
  data: z.unknown(),
  attempts: z.number(),
  error: z.string(),
  failedAt: z.string(),
});

type DeadLetterData = z.infer<typeof deadLetterData>;

/** Whose dead letters: the subscribing module's, from its dead-letter queue. */
export type DeadLetterOptions = QueueClientOptions & { readonly subscriber: string };

const deadQueueOf = (options: DeadLetterOptions): string => deadEventQueueName(options.subscriber);

const toDeadLetter = (job: Job): DeadLetter | undefined => {
  const parsed = deadLetterData.safeParse(job.data);
  if (!parsed.success || job.id === undefined) return undefined;
  return { id: job.id, ...parsed.data };
};

/**
 * Copies a finally failed job into `deadQueue`, then removes it from its own queue's failed set.
 * In that order, so a crash in between leaves the job in both places, never in neither; the
 * consumer's start-up sweep finishes the move, and the dead letter's id (the job's) keeps the
 * copy single.
 */
export const parkJob = async (deadQueue: Queue, job: Job, error: string): Promise<void> => {
  if (job.id === undefined) return;
  const letter: DeadLetterData = {
    queue: job.queueName,
    name: job.name,
    data: job.data,
    attempts: job.attemptsMade,
    error,
    failedAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
  };
  await deadQueue.add(job.name, letter, { jobId: job.id });
  await job.remove();
};

/** The dead letters in `deadQueue`, oldest failure first (at most `limit`). */
export const listDead = async (client: QueueClient, deadQueue: string, limit = 1000): Promise<DeadLetter[]> => {
  const jobs = await client.queue(deadQueue).getJobs(['waiting', 'prioritized', 'delayed'], 0, limit - 1);
  return jobs
    .flatMap((job) => toDeadLetter(job) ?? [])
    .sort((a, b) => a.failedAt.localeCompare(b.failedAt));
};

/** States in which a job with the dead letter's id is about to run anyway. */
const pending = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Puts dead letter `id` back on its queue with fresh attempts, then deletes it. A job left in
 * the origin queue under the same id would make the add a no-op, so a finished one is removed
 * first, and a pending one means the work is queued already. A crash between add and delete
 * leaves the letter to be replayed again: consumers are idempotent (inbox), so that is safe.
 */
export const replayDead = async (client: QueueClient, deadQueue: string, id: string): Promise<boolean> => {
  const dead = await client.queue(deadQueue).getJob(id);
  const letter = dead ? toDeadLetter(dead) : undefined;
  if (!dead || !letter) return false;
  const origin = client.queue(letter.queue);
  const existing = await origin.getJob(id);
  const state = existing ? await existing.getState() : 'missing';
  if (!pending.has(state)) {
    if (existing) await existing.remove();
    await origin.add(letter.name, letter.data, jobOptions(id));
  }
  await dead.remove();
  return true;
};

/** Subscriber `subscriber`'s dead letters, oldest failure first. */
export const listDeadLetters = (options: DeadLetterOptions & { readonly limit?: number }): Promise<DeadLetter[]> =>
  withQueueClient(options, (client) => listDead(client, deadQueueOf(options), options.limit));

/** Replays one dead letter; false when there is none with that id. */
export const replayDeadLetter = (options: DeadLetterOptions & { readonly id: string }): Promise<boolean> =>
  withQueueClient(options, (client) => replayDead(client, deadQueueOf(options), options.id));

/** Replays every dead letter of the queue; resolves with how many were replayed. */
export const replayAll = (options: DeadLetterOptions): Promise<number> =>
  withQueueClient(options, async (client) => {
    const deadQueue = deadQueueOf(options);
    let replayed = 0;
    // Page by page: each replay removes its letter, so the first page is always the next one.
    // A page that replays nothing (letters removed under us) ends the loop rather than spin.
    for (;;) {
      let progress = 0;
      for (const letter of await listDead(client, deadQueue, 500)) if (await replayDead(client, deadQueue, letter.id)) progress += 1;
      if (progress === 0) return replayed;
      replayed += progress;
    }
  });
