import { describe, expect, it } from 'vitest';
import { defineError, DeadlineExceeded, failureKinds, Forbidden, Internal, NotFound, OutcomeUnknown, RemoteCallFailed, SeamError, ServiceUnavailable, toSeamError, Unauthorized, ValidationFailed } from './errors.js';
import { failureKind, httpStatusOfKind, isCallFailure, isNoAnswer, isRefusal, kindOfStatus, mayHaveRun, mayRetry, retryAfterSeconds } from './failures.js';

const OutOfStock = defineError('OUT_OF_STOCK', 'conflict', 'Not enough stock');
const PaymentDeclined = defineError('PAYMENT_DECLINED', 'refused', 'Declined');
const RateLimited = defineError('RATE_LIMITED', 'exhausted', 'Too many requests');

/** `error` as the caller sees it when a remote service answered with it. */
const answered = (error: SeamError): SeamError => SeamError.fromJSON(JSON.parse(JSON.stringify(error)), { answered: true });

describe('the failure taxonomy', () => {
  it('gives every error the kind it was declared with; anything else is a fault', () => {
    expect(failureKind(PaymentDeclined.create())).toBe('refused');
    expect(failureKind(ValidationFailed.create())).toBe('invalid');
    expect(failureKind(NotFound.create())).toBe('not-found');
    expect(failureKind(OutOfStock.create())).toBe('conflict');
    expect(failureKind(Internal.create())).toBe('fault');
    expect(failureKind(ServiceUnavailable.create())).toBe('unavailable');
    expect(failureKind(RemoteCallFailed.create())).toBe('unavailable');
    expect(failureKind(DeadlineExceeded.create())).toBe('deadline-exceeded');
    expect(failureKind(OutcomeUnknown.create())).toBe('outcome-unknown');
    expect(failureKind(new Error('a bug'))).toBe('fault');
  });

  it('keeps the kind across the wire', () => {
    expect(ServiceUnavailable.create().toJSON()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', kind: 'unavailable' });
    const rebuilt = answered(OutcomeUnknown.create());
    expect(rebuilt.kind).toBe('outcome-unknown');
    expect(rebuilt.answered).toBe(true);
  });

  it('takes every answer but a fault as a refusal: the callee said no', () => {
    for (const error of [ValidationFailed.create(), Unauthorized.create(), Forbidden.create(), NotFound.create(), OutOfStock.create(), PaymentDeclined.create(), RateLimited.create()]) {
      expect(isRefusal(error)).toBe(true);
      expect(isRefusal(answered(error))).toBe(true);
    }
    for (const error of [Internal.create(), ServiceUnavailable.create(), DeadlineExceeded.create(), OutcomeUnknown.create(), new Error('a bug')]) expect(isRefusal(error)).toBe(false);
  });

  it('never retries or counts an answer, however it was reached', () => {
    for (const error of [OutOfStock.create(), NotFound.create(), PaymentDeclined.create(), RateLimited.create(), Internal.create(), new Error('a bug')]) {
      expect(mayRetry(error, true)).toBe(false);
      expect(isCallFailure(error)).toBe(false);
      expect(isNoAnswer(error)).toBe(false);
    }
  });

  it('retries a call that did not run whatever the method, one that may have run only when it is idempotent', () => {
    expect(mayRetry(RemoteCallFailed.create(), false)).toBe(true);
    expect(mayRetry(OutcomeUnknown.create(), false)).toBe(false);
    expect(mayRetry(OutcomeUnknown.create(), true)).toBe(true);
    expect(mayRetry(DeadlineExceeded.create(), false)).toBe(false);
    expect(mayRetry(DeadlineExceeded.create(), true)).toBe(true);
    expect(mayHaveRun(OutcomeUnknown.create())).toBe(true);
    expect(mayHaveRun(RemoteCallFailed.create())).toBe(false);
  });

  it('holds a failed call against the callee, but not what the callee answered about its own dependencies', () => {
    const ownFailure = ServiceUnavailable.create('shipping is failing; not calling it for now');
    expect(isCallFailure(ownFailure)).toBe(true);
    const relayed = answered(ownFailure);
    expect(isCallFailure(relayed)).toBe(false);
    expect(mayRetry(relayed, true)).toBe(false);
    // Still no answer to the question asked: a page may leave that part out.
    expect(isNoAnswer(relayed)).toBe(true);
  });

  it('gives each kind its HTTP status for the edges, and reads an older peer\'s status back as the same kind', () => {
    expect(Object.fromEntries(failureKinds.map((kind) => [kind, httpStatusOfKind(kind)]))).toEqual({
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
    });
    // Outcome unknown shares 503 with unavailable; an older peer says which in its kind.
    for (const kind of failureKinds.filter((kind) => kind !== 'outcome-unknown')) expect(kindOfStatus(httpStatusOfKind(kind))).toBe(kind);
    expect(kindOfStatus(402)).toBe('refused');
    expect(kindOfStatus(412)).toBe('conflict');
    expect(kindOfStatus(502)).toBe('unavailable');
    expect(kindOfStatus(501)).toBe('fault');
  });

  it('suggests Retry-After for unavailable and outcome unknown only', () => {
    expect(retryAfterSeconds(OutcomeUnknown.create())).toBe(1);
    expect(retryAfterSeconds(ServiceUnavailable.create('open', { retryAfterSeconds: 5 }))).toBe(5);
    expect(retryAfterSeconds(DeadlineExceeded.create())).toBeUndefined();
    expect(retryAfterSeconds(OutOfStock.create())).toBeUndefined();
    expect(retryAfterSeconds(Internal.create())).toBeUndefined();
    expect(retryAfterSeconds(RateLimited.create())).toBeUndefined();
  });

  it('sees a SeamError a library wrapped in its own error, as drizzle wraps what a query threw', () => {
    const wrapped = Object.assign(new Error('Failed query: insert ...'), { cause: OutcomeUnknown.create() });
    expect(failureKind(wrapped)).toBe('outcome-unknown');
    expect(toSeamError(wrapped).code).toBe('OUTCOME_UNKNOWN');
    expect(isCallFailure(wrapped)).toBe(true);
  });
});
