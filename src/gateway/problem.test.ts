import { describe, expect, it } from 'vitest';
import { defineError, Internal, OutcomeUnknown, SeamError, ServiceUnavailable } from '../kernel/errors.js';
import { errorResponse } from './problem.js';

const context = { instance: '/api/v1/orders', requestId: 'r-1', titles: new Map<string, string>() };
const PaymentFailed = defineError('PAYMENT_FAILED', 503, 'The payment could not be processed; try again later');
const OutOfStock = defineError('OUT_OF_STOCK', 409, 'Not enough stock');

describe('error responses at the edge', () => {
  it('answers outcome unknown with 503, its code and Retry-After, never a 500', async () => {
    const response = errorResponse(OutcomeUnknown.create('the database went away mid-write', { orderId: 'o-1' }), context);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'OUTCOME_UNKNOWN', status: 503 });
    // Even when whoever raised it gave it another status, the kind decides.
    expect(errorResponse(new SeamError('ODD', 500, 'x', undefined, { kind: 'outcome-unknown' }), context).status).toBe(503);
  });

  it('adds Retry-After to every 503: the breaker’s own wait, or one second', () => {
    expect(errorResponse(ServiceUnavailable.create('open', { retryAfterSeconds: 5 }), context).headers.get('retry-after')).toBe('5');
    expect(errorResponse(PaymentFailed.create(), context).headers.get('retry-after')).toBe('1');
  });

  it('adds no Retry-After to answers and faults', () => {
    expect(errorResponse(OutOfStock.create(), context).headers.get('retry-after')).toBeNull();
    const fault = errorResponse(Internal.create(), context);
    expect(fault.status).toBe(500);
    expect(fault.headers.get('retry-after')).toBeNull();
  });
});
