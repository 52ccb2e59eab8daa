import { describe, expect, it } from 'vitest';
import { InvalidCursor } from './contract.js';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('product cursors', () => {
  it('round-trips the key of the last product on a page', () => {
    const key = { name: 'Classic "Chef" Knife, 20 cm', id: '5aaeeefc-5fec-53f1-a1a6-5941b19bcfc7' };
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it.each([
    ['not base64 JSON', 'zzz'],
    ['JSON of the wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['an id that is not a UUID', Buffer.from('["Knife","1 OR 1=1"]').toString('base64url')],
    ['a name holding U+0000', Buffer.from(JSON.stringify(['Knife\u0000', '5aaeeefc-5fec-53f1-a1a6-5941b19bcfc7'])).toString('base64url')],
  ])('rejects %s as INVALID_CURSOR naming the field', (_, cursor) => {
    let error: unknown;
    try {
      decodeCursor(cursor);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidCursor.is(error)).toBe(true);
    expect((error as { details: unknown }).details).toEqual({ errors: [{ field: 'cursor', message: 'not a cursor this API issued' }] });
  });
});
