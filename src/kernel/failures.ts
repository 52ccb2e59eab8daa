/**
 * @module The failure taxonomy's decisions: which failures are retried, which count against a
 * service, which a page may leave out, and how the edge answers each. Everything asks here,
 * by kind (errors.ts), instead of keeping its own list of codes.
 *
 * Answers (refused, not-found, conflict, fault) are what the callee said: never retried, never
 * held against it. Transport kinds (unavailable, deadline-exceeded, outcome-unknown) mean no
 * answer was had; the failure of one hop is retried when that is safe and counted by that
 * hop's breaker, while the same kind relayed by a callee that did answer is its answer.
 */
import { SeamError, seamErrorIn, type FailureKind } from './errors.js';

export type { FailureKind } from './errors.js';

const transportKinds: ReadonlySet<FailureKind> = new Set<FailureKind>(['unavailable', 'deadline-exceeded', 'outcome-unknown']);

/** The kind of any thrown value; anything that is not (and wraps no) SeamError is a fault (a bug), never a transport failure. */
export const failureKind = (error: unknown): FailureKind => seamErrorIn(error)?.kind ?? 'fault';

/** True when the callee said no (refused, not found, conflict): an answer to act on, never to retry. */
export const isRefusal = (error: unknown): error is SeamError => {
  const kind = failureKind(error);
  return error instanceof SeamError && (kind === 'refused' || kind === 'not-found' || kind === 'conflict');
};

/** True for the kinds that mean no answer was had. */
export const isTransportKind = (kind: FailureKind): boolean => transportKinds.has(kind);

/**
 * True when no answer could be had from whoever knows (here or further down): a page can leave
 * out what only that service knows instead of failing whole.
 */
export const isNoAnswer = (error: unknown): boolean => isTransportKind(failureKind(error));

/**
 * True when the call to this callee failed (unreachable, died mid-call, out of time), as
 * opposed to the callee answering, even with "my own dependency is unavailable": only these
 * count against the callee in its breaker and its instance's health.
 */
export const isCallFailure = (error: unknown): boolean => {
  const seamError = seamErrorIn(error);
  return seamError !== undefined && !seamError.answered && isTransportKind(seamError.kind);
};

/**
 * Whether a call that failed with `error` may be made again: a failure of this hop that did not
 * run, or that may have run when running twice is harmless (`idempotent`).
 */
export const mayRetry = (error: unknown, idempotent: boolean): boolean => isCallFailure(error) && (idempotent || failureKind(error) === 'unavailable');

/** True when the work may have happened although the call failed. */
export const mayHaveRun = (error: unknown): boolean => {
  const kind = failureKind(error);
  return kind === 'outcome-unknown' || kind === 'deadline-exceeded';
};

/** The HTTP status the edge answers `error` with: a transport kind's own, else the status the error declares. */
export const httpStatusOf = (error: SeamError): number => {
  switch (error.kind) {
    case 'unavailable':
    case 'outcome-unknown':
      return 503;
    case 'deadline-exceeded':
      return 504;
    default:
      return error.status;
  }
};

const defaultRetryAfterSeconds = 1;

/**
 * Seconds a client should wait before trying again, for an answer worth retrying (a 503): the
 * error's own `details.retryAfterSeconds` (a breaker knows when it will probe again), else 1.
 */
export const retryAfterSeconds = (error: SeamError): number | undefined => {
  if (httpStatusOf(error) !== 503) return undefined;
  const suggested = error.details?.['retryAfterSeconds'];
  return typeof suggested === 'number' && Number.isInteger(suggested) && suggested > 0 ? suggested : defaultRetryAfterSeconds;
};
