/**
 * @module Polls until a condition holds, for tests of asynchronous delivery; bounded in time.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves with `probe()`'s value once `done` accepts it; throws with the last value after `timeoutMs`. */
export const waitFor = async <T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await sleep(10);
  }
};
