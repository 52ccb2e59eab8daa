import { describe, expect, it } from 'vitest';
import { defineError, SeamError, toSeamError, validationFailed } from './errors.js';

const OutOfStock = defineError('OUT_OF_STOCK', 409, 'Out of stock');

describe('SeamError', () => {
  it('survives a trip through JSON with its code, status, message and details', () => {
    const original = OutOfStock.create('Not enough stock', { productIds: ['a', 'b'] });
    const rebuilt = SeamError.fromJSON(JSON.parse(JSON.stringify(original)));
    expect(rebuilt).toBeInstanceOf(SeamError);
    expect(rebuilt.toJSON()).toEqual({ code: 'OUT_OF_STOCK', status: 409, message: 'Not enough stock', details: { productIds: ['a', 'b'] } });
    expect(OutOfStock.is(rebuilt)).toBe(true);
  });

  it('is recognised by code, not by identity', () => {
    expect(OutOfStock.is(new SeamError('OUT_OF_STOCK', 409, 'x'))).toBe(true);
    expect(OutOfStock.is(new SeamError('OTHER', 409, 'x'))).toBe(false);
    expect(OutOfStock.is(new Error('OUT_OF_STOCK'))).toBe(false);
  });

  it('defaults the message to the title', () => {
    expect(OutOfStock.create().message).toBe('Out of stock');
  });

  it('hides an unknown failure behind INTERNAL, keeping it as the cause', () => {
    const cause = new Error('connection string has password hunter2');
    const error = toSeamError(cause);
    expect(error.code).toBe('INTERNAL');
    expect(error.status).toBe(500);
    expect(error.message).not.toContain('hunter2');
    expect(error.cause).toBe(cause);
  });

  it('names each field of a validation failure', () => {
    const error = validationFailed([
      { field: 'limit', message: 'too small' },
      { field: 'items.0.quantity', message: 'must be positive' },
    ]);
    expect(error.status).toBe(400);
    expect(error.message).toBe('limit: too small; items.0.quantity: must be positive');
    expect(error.details).toEqual({ errors: [{ field: 'limit', message: 'too small' }, { field: 'items.0.quantity', message: 'must be positive' }] });
  });
});
