/**
 * @module The error a call fails with, for module tests that expect a refusal through the
 * in-process binding; the test fails if the call succeeds.
 */
import type { SeamError } from '../../src/kernel/errors.js';

/** The error a call fails with; fails the test if the call succeeds. */
export const failure = (call: Promise<unknown>): Promise<SeamError> =>
  call.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as SeamError,
  );
