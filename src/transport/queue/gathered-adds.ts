/**
 * @module Adds to BullMQ queues, gathered: the adds asked for in one turn of the event loop go
 * to Redis as one `addBulk` per queue, one round trip for all of them, and each asker's
 * promise settles with its bulk.
 *
 * `addBulk` runs the same script per job as `add`, so a job id that exists already still adds
 * nothing. A bulk that fails rejects every add in it, though some may have landed: the caller
 * retries them, and their job ids make the ones that landed no-ops.
 */
import type { JobsOptions } from 'bullmq';
import type { QueueClient } from './connection.js';

interface Asked {
  readonly name: string;
  readonly data: unknown;
  readonly opts: JobsOptions;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Bounds one bulk, so a flood of adds becomes several moderate Redis pipelines rather than one huge one. */
const defaultMaxBulk = 500;

export class GatheredAdds {
  /** Queue name → the adds asked for since the last flush. */
  readonly #asked = new Map<string, Asked[]>();
  #flushScheduled = false;

  constructor(
    private readonly client: QueueClient,
    private readonly maxBulk = defaultMaxBulk,
  ) {}

  /** Adds job `name` with `data` to queue `queue` in the next bulk; resolves once that bulk is in Redis. */
  add(queue: string, name: string, data: unknown, opts: JobsOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let asked = this.#asked.get(queue);
      if (!asked) this.#asked.set(queue, (asked = []));
      asked.push({ name, data, opts, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // setImmediate, not a microtask: adds asked for after an await or two in the same turn still join.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const [queue, asked] of this.#asked) {
      for (let start = 0; start < asked.length; start += this.maxBulk) void this.#send(queue, asked.slice(start, start + this.maxBulk));
    }
    this.#asked.clear();
  }

  async #send(queue: string, bulk: readonly Asked[]): Promise<void> {
    try {
      await this.client.queue(queue).addBulk(bulk.map(({ name, data, opts }) => ({ name, data, opts })));
    } catch (error) {
      for (const asked of bulk) asked.reject(error);
      return;
    }
    for (const asked of bulk) asked.resolve();
  }
}
