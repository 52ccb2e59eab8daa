/**
 * @module Parsing any public input (body or query) with a schema: zod's verdict, plus the one
 * rule every text shares. PostgreSQL cannot store U+0000 in text, so a string holding it
 * would fail deep in a module as a 500; here it is a 400 that names the field.
 */
import type { z } from 'zod';
import { validationFailed } from '../kernel/errors.js';
import { parseOrThrow } from '../kernel/validation.js';

/** The dotted path of the first string in `value` that holds U+0000, if any. */
const fieldWithNul = (value: unknown, path: readonly string[] = []): string | undefined => {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || '(root)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const field = fieldWithNul(item, [...path, key]);
    if (field !== undefined) return field;
  }
  return undefined;
};

/**
 * Parses `value` with `schema`, or throws VALIDATION_FAILED naming the bad fields. The check
 * for U+0000 walks the parsed value, whose depth the schema bounds, not the raw input.
 */
export const parseInput = <S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> => {
  const parsed = parseOrThrow(schema, value, where);
  const field = fieldWithNul(parsed);
  if (field !== undefined) throw validationFailed([{ field, message: 'must not contain the character U+0000' }], where);
  return parsed;
};
