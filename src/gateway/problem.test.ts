import { describe, expect, it } from 'vitest';
import { defineError, Internal, OutcomeUnknown, ServiceUnavailable } from '../kernel/errors.js';
import { errorResponse } from './problem.js';
import { PayloadTooLarge } from './protocol-errors.js';
import { publicStatuses } from './public-status.js';

const PaymentDeclined = defineError('PAYMENT_DECLINED', 'refused', 'The card was declined');
/** An application's edge that answers a declined card with 402, as card payment APIs do. */
const context = { instance: '/api/v1/orders', requestId: 'r-1', titles: new Map<string, string>(), statuses: publicStatuses({ PAYMENT_DECLINED: 402 }) };
const PaymentFailed = defineError('PAYMENT_FAILED', 'unavailable', 'The payment could not be processed; try again later');
const OutOfStock = defineError('OUT_OF_STOCK', 'conflict', 'Not enough stock');

describe('error responses at the edge', () => {
  it('answers outcome unknown with 503, its code and Retry-After, never a 500', async () => {
    const response = errorResponse(OutcomeUnknown.create('the database went away mid-write', { orderId: 'o-1' }), context);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'OUTCOME_UNKNOWN', status: 503 });
  });

  it('answers with the status of the kind, or the one HTTP has for the code', async () => {
    const conflict = errorResponse(OutOfStock.create(), context);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ status: 409, code: 'OUT_OF_STOCK', type: 'urn:seam:problem:out-of-stock' });
    const declined = errorResponse(PaymentDeclined.create(), context);
    expect(declined.status).toBe(402);
    expect(await declined.json()).toMatchObject({ status: 402, code: 'PAYMENT_DECLINED' });
    expect(errorResponse(PayloadTooLarge.create(), context).status).toBe(413);
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
