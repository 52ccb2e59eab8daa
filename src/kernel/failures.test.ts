import { describe, expect, it } from 'vitest';
import { defineError, DeadlineExceeded, Internal, NotFound, OutcomeUnknown, RemoteCallFailed, SeamError, ServiceUnavailable, toSeamError, ValidationFailed } from './errors.js';
import { failureKind, httpStatusOf, isCallFailure, isNoAnswer, mayHaveRun, mayRetry, retryAfterSeconds } from './failures.js';

const OutOfStock = defineError('OUT_OF_STOCK', 409, 'Not enough stock');
const PaymentDeclined = defineError('PAYMENT_DECLINED', 402, 'Declined');

/** `error` as the caller sees it when a remote service answered with it. */
const answered = (error: SeamError): SeamError => SeamError.fromJSON(JSON.parse(JSON.stringify(error)), { answered: true });

describe('the failure taxonomy', () => {
  it('gives every error a kind: declared, or implied by its status', () => {
    expect(failureKind(PaymentDeclined.create())).toBe('refused');
    expect(failureKind(ValidationFailed.create())).toBe('refused');
    expect(failureKind(NotFound.create())).toBe('not-found');
    expect(failureKind(OutOfStock.create())).toBe('conflict');
    expect(failureKind(Internal.create())).toBe('fault');
    expect(failureKind(ServiceUnavailable.create())).toBe('unavailable');
    expect(failureKind(RemoteCallFailed.create())).toBe('unavailable');
    expect(failureKind(DeadlineExceeded.create())).toBe('deadline-exceeded');
    expect(failureKind(OutcomeUnknown.create())).toBe('outcome-unknown');
    expect(failureKind(new Error('a bug'))).toBe('fault');
  });

  it('keeps a declared kind across the wire, and sends it only where the status does not imply it', () => {
    expect(ServiceUnavailable.create().toJSON()).not.toHaveProperty('kind');
    expect(OutcomeUnknown.create().toJSON()).toMatchObject({ code: 'OUTCOME_UNKNOWN', status: 503, kind: 'outcome-unknown' });
    const rebuilt = answered(OutcomeUnknown.create());
    expect(rebuilt.kind).toBe('outcome-unknown');
    expect(rebuilt.answered).toBe(true);
    // A peer that sends an unknown kind, or none, gets the status's.
    expect(SeamError.fromJSON({ code: 'X', status: 503, message: 'x', kind: 'nonsense' as never }).kind).toBe('unavailable');
  });

  it('never retries or counts an answer, however it was reached', () => {
    for (const error of [OutOfStock.create(), NotFound.create(), PaymentDeclined.create(), Internal.create(), new Error('a bug')]) {
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

  it('chooses the edge status from the kind, and Retry-After for 503s only', () => {
    expect(httpStatusOf(OutcomeUnknown.create())).toBe(503);
    expect(httpStatusOf(new SeamError('ODD', 500, 'x', undefined, { kind: 'outcome-unknown' }))).toBe(503);
    expect(httpStatusOf(DeadlineExceeded.create())).toBe(504);
    expect(httpStatusOf(PaymentDeclined.create())).toBe(402);
    expect(retryAfterSeconds(OutcomeUnknown.create())).toBe(1);
    expect(retryAfterSeconds(ServiceUnavailable.create('open', { retryAfterSeconds: 5 }))).toBe(5);
    expect(retryAfterSeconds(DeadlineExceeded.create())).toBeUndefined();
    expect(retryAfterSeconds(OutOfStock.create())).toBeUndefined();
    expect(retryAfterSeconds(Internal.create())).toBeUndefined();
  });

  it('sees a SeamError a library wrapped in its own error, as drizzle wraps what a query threw', () => {
    const wrapped = Object.assign(new Error('Failed query: insert ...'), { cause: OutcomeUnknown.create() });
    expect(failureKind(wrapped)).toBe('outcome-unknown');
    expect(toSeamError(wrapped).code).toBe('OUTCOME_UNKNOWN');
    expect(isCallFailure(wrapped)).toBe(true);
  });
});
