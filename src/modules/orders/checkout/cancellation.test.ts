/**
 * The one mapping from a cancelled checkout's reason to the error placeOrder answers with:
 * every reason, the details the caller gets, and what is no error at all.
 */
import { describe, expect, it } from 'vitest';
import type { OrderRow } from '../order.repository.js';
import { cancellationError, cancellationReasons, type CancellationReason } from './cancellation.js';

const orderId = '9a4c1a8e-6f0e-4a51-9a0e-3c7d2f1b5e60';

const cancelled = (reason: string | null, details: Record<string, unknown> | null = null): Pick<OrderRow, 'id' | 'status' | 'cancellationReason' | 'cancellationDetails'> => ({
  id: orderId,
  status: 'CANCELLED',
  cancellationReason: reason,
  cancellationDetails: details,
});

describe('cancellationError', () => {
  it.each<[CancellationReason, string]>([
    ['out_of_stock', 'OUT_OF_STOCK'],
    ['stock_refused', 'CHECKOUT_FAILED'],
    ['payment_declined', 'PAYMENT_DECLINED'],
    ['card_invalid', 'PAYMENT_DECLINED'],
    ['payment_refused', 'CHECKOUT_FAILED'],
    ['payment_failed', 'PAYMENT_FAILED'],
    ['checkout_interrupted', 'CHECKOUT_FAILED'],
    ['shipping_refused', 'CHECKOUT_FAILED'],
    ['reservation_expired', 'CHECKOUT_FAILED'],
  ])('answers an order cancelled as %s with %s, naming the order', (reason, code) => {
    expect(cancellationError(cancelled(reason))).toMatchObject({ code, details: expect.objectContaining({ orderId }) });
  });

  it('has an answer for every reason', () => {
    expect(cancellationReasons.filter((reason) => reason !== 'cancelled_by_customer' && cancellationError(cancelled(reason)) === undefined)).toEqual([]);
  });

  it('names the products that were out of stock', () => {
    expect(cancellationError(cancelled('out_of_stock', { productIds: ['lamp'], code: 'OUT_OF_STOCK' }))).toMatchObject({
      code: 'OUT_OF_STOCK',
      details: { orderId, productIds: ['lamp'] },
    });
  });

  it("passes on why payments declined the card, or else the order's reason", () => {
    expect(cancellationError(cancelled('payment_declined', { reason: 'insufficient_funds' }))).toMatchObject({ details: { orderId, reason: 'insufficient_funds' } });
    expect(cancellationError(cancelled('card_invalid'))).toMatchObject({ code: 'PAYMENT_DECLINED', details: { orderId, reason: 'card_invalid' } });
  });

  it('says which reason ended a checkout that failed for another reason', () => {
    expect(cancellationError(cancelled('shipping_refused'))).toMatchObject({ code: 'CHECKOUT_FAILED', details: { orderId, reason: 'shipping_refused' } });
  });

  it("is no error for the customer's own cancellation, nor for an order that was not cancelled", () => {
    expect(cancellationError(cancelled('cancelled_by_customer'))).toBeUndefined();
    expect(cancellationError({ ...cancelled(null), status: 'CONFIRMED' })).toBeUndefined();
    expect(cancellationError({ ...cancelled(null), status: 'PENDING' })).toBeUndefined();
  });

  it('answers CHECKOUT_FAILED, naming it, for a reason this version does not know or none at all', () => {
    expect(cancellationError(cancelled('lost_in_the_post'))).toMatchObject({ code: 'CHECKOUT_FAILED', details: { orderId, reason: 'lost_in_the_post' } });
    expect(cancellationError(cancelled(null))).toMatchObject({ code: 'CHECKOUT_FAILED', details: { orderId, reason: 'unknown reason' } });
  });
});
