/**
 * @module Opaque keyset cursors for product pages.
 *
 * A cursor is the (name, id) of the last product on a page, base64url-encoded JSON. Keyset
 * pagination stays correct while products are added and costs one index range scan per page,
 * where OFFSET would rescan every earlier page.
 */
import { z } from 'zod';
import { uuidPattern } from '../../kernel/validation.js';
import { InvalidCursor } from './contract.js';

export interface ProductKey {
  readonly name: string;
  readonly id: string;
}

// No product name holds U+0000 (PostgreSQL text cannot), so a cursor whose name does was not ours.
const cursorShape = z.tuple([z.string().max(300).regex(/^[^\u0000]*$/), z.string().regex(uuidPattern)]);

export const encodeCursor = (key: ProductKey): string => Buffer.from(JSON.stringify([key.name, key.id])).toString('base64url');

/** Decodes a cursor made by `encodeCursor`, or throws INVALID_CURSOR naming the field. */
export const decodeCursor = (cursor: string): ProductKey => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = cursorShape.safeParse(decoded);
  if (!parsed.success) {
    throw InvalidCursor.create('cursor: not a cursor this API issued; use nextCursor from a previous page', {
      errors: [{ field: 'cursor', message: 'not a cursor this API issued' }],
    });
  }
  const [name, id] = parsed.data;
  return { name, id };
};
