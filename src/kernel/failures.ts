/**
 * @module The failure taxonomy's decisions: which failures are retried, which count against a
 * service, which a page may leave out, and the HTTP status each kind answers with at an edge.
 * Everything asks here, by kind (errors.ts), instead of keeping its own list of codes.
 *
 * Answers (every kind but the transport ones) are what the callee said: never retried, never
 * held against it. Transport kinds (unavailable, deadline-exceeded, outcome-unknown) mean no
 * answer was had; the failure of one hop is retried when that is safe and counted by that
 * hop's breaker, while the same kind relayed by a callee that did answer is its answer.
 */
import { SeamError, seamErrorIn, type FailureKind } from './errors.js';

export type { FailureKind } from './errors.js';

const transportKinds: ReadonlySet<FailureKind> = new Set<FailureKind>(['unavailable', 'deadline-exceeded', 'outcome-unknown']);

/** The kind of any thrown value; anything that is not (and wraps no) SeamError is a fault (a bug), never a transport failure. */
export const failureKind = (error: unknown): FailureKind => seamErrorIn(error)?.kind ?? 'fault';

/** True for the kinds that mean no answer was had. */
export const isTransportKind = (kind: FailureKind): boolean => transportKinds.has(kind);

/**
 * True when the callee said no (invalid, not found, conflict, refused, ...): an answer to act
 * on, never to retry. A fault is an answer too, but a broken one, not a no.
 */
export const isRefusal = (error: unknown): error is SeamError => {
  const kind = failureKind(error);
  return error instanceof SeamError && kind !== 'fault' && !isTransportKind(kind);
};

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

/**
 * The HTTP status each kind answers with, for the edges only (the gateway, the RPC server):
 * errors never carry one. Outcome unknown is a 503 because the client's move is the same as
 * for unavailable, to try again (with the same Idempotency-Key), and Retry-After says when.
 */
const statusByKind: Readonly<Record<FailureKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  refused: 422,
  exhausted: 429,
  fault: 500,
  unavailable: 503,
  'deadline-exceeded': 504,
  'outcome-unknown': 503,
};

/** The HTTP status an edge answers a failure of `kind` with. */
export const httpStatusOfKind = (kind: FailureKind): number => statusByKind[kind];

/**
 * The kind an HTTP status implies, for an error from a peer that sent no kind this version
 * knows: an earlier version sent a status alone, a later one may send a kind added since.
 */
export const kindOfStatus = (status: number): FailureKind => {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
    case 412:
      return 'conflict';
    case 429:
      return 'exhausted';
    case 502:
    case 503:
      return 'unavailable';
    case 504:
      return 'deadline-exceeded';
    default:
      return status >= 400 && status < 500 ? 'refused' : 'fault';
  }
};

const defaultRetryAfterSeconds = 1;

/**
 * Seconds a client should wait before trying again, for a failure worth retrying (unavailable,
 * or outcome unknown): the error's own `details.retryAfterSeconds` (a breaker knows when it
 * will probe again), else 1.
 */
export const retryAfterSeconds = (error: SeamError): number | undefined => {
  if (error.kind !== 'unavailable' && error.kind !== 'outcome-unknown') return undefined;
  const suggested = error.details?.['retryAfterSeconds'];
  return typeof suggested === 'number' && Number.isInteger(suggested) && suggested > 0 ? suggested : defaultRetryAfterSeconds;
};
