import { describe, expect, it } from 'vitest';
import { defineError, failureKinds, SeamError, toSeamError, validationFailed, type FailureKind } from './errors.js';

const OutOfStock = defineError('OUT_OF_STOCK', 'conflict', 'Out of stock');

describe('SeamError', () => {
  it('survives a trip through JSON with its code, kind, message and details', () => {
    const original = OutOfStock.create('Not enough stock', { productIds: ['a', 'b'] });
    const rebuilt = SeamError.fromJSON(JSON.parse(JSON.stringify(original)));
    expect(rebuilt).toBeInstanceOf(SeamError);
    expect(rebuilt.toJSON()).toEqual({ code: 'OUT_OF_STOCK', kind: 'conflict', message: 'Not enough stock', details: { productIds: ['a', 'b'] } });
    expect(OutOfStock.is(rebuilt)).toBe(true);
  });

  it('carries no HTTP status: only the edges choose one', () => {
    expect(OutOfStock.create().toJSON()).not.toHaveProperty('status');
    expect(OutOfStock).not.toHaveProperty('status');
  });

  it('takes a kind it does not know, from a newer peer, as a fault', () => {
    expect(SeamError.fromJSON({ code: 'X', kind: 'nonsense' as FailureKind, message: 'x' }).kind).toBe('fault');
  });

  it('refuses a kind that is none, naming the code and the kinds there are', () => {
    expect(() => defineError('LEGACY', 409 as unknown as FailureKind, 'x')).toThrow(/LEGACY: 409 is not a failure kind \(one of invalid, /);
    expect(() => new SeamError('LEGACY', 'gone' as FailureKind, 'x')).toThrow(/LEGACY: "gone" is not a failure kind/);
    for (const kind of failureKinds) expect(new SeamError('ANY', kind, 'x').kind).toBe(kind);
  });

  it('is recognised by code, not by identity', () => {
    expect(OutOfStock.is(new SeamError('OUT_OF_STOCK', 'conflict', 'x'))).toBe(true);
    expect(OutOfStock.is(new SeamError('OTHER', 'conflict', 'x'))).toBe(false);
    expect(OutOfStock.is(new Error('OUT_OF_STOCK'))).toBe(false);
  });

  it('defaults the message to the title', () => {
    expect(OutOfStock.create().message).toBe('Out of stock');
  });

  it('hides an unknown failure behind INTERNAL, keeping it as the cause', () => {
    const cause = new Error('connection string has password hunter2');
    const error = toSeamError(cause);
    expect(error.code).toBe('INTERNAL');
    expect(error.kind).toBe('fault');
    expect(error.message).not.toContain('hunter2');
    expect(error.cause).toBe(cause);
  });

  it('names each field of a validation failure', () => {
    const error = validationFailed([
      { field: 'limit', message: 'too small' },
      { field: 'items.0.quantity', message: 'must be positive' },
    ]);
    expect(error.kind).toBe('invalid');
    expect(error.message).toBe('limit: too small; items.0.quantity: must be positive');
    expect(error.details).toEqual({ errors: [{ field: 'limit', message: 'too small' }, { field: 'items.0.quantity', message: 'must be positive' }] });
  });
});
