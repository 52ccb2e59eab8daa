/**
 * @module Parsing any public input (body or query) with a schema: zod's verdict, plus the one
 * rule every text shares: it must be text PostgreSQL can hold. U+0000 cannot be stored in
 * text, and a lone UTF-16 surrogate ("\ud800" in JSON) is not Unicode at all: PostgreSQL
 * refuses it inside JSON (a 500 deep in a module) and the driver silently turns it into
 * U+FFFD in plain text (data altered without a word). Here both are a 400 naming the field.
 */
import type { z } from 'zod';
import { validationFailed } from '../kernel/errors.js';
import { parseOrThrow } from '../kernel/validation.js';

export interface BadText {
  readonly field: string;
  readonly message: string;
}

/** Why `text` cannot be stored, or undefined when it can. */
const whyUnstorable = (text: string): string | undefined => {
  if (text.includes('\u0000')) return 'must not contain the character U+0000';
  if (!text.isWellFormed()) return 'must be valid Unicode text (it holds a lone UTF-16 surrogate)';
  return undefined;
};

/** The dotted path of the first string in `value` that cannot be stored, and why. */
export const firstUnstorable = (value: unknown, path: readonly string[] = []): BadText | undefined => {
  if (typeof value === 'string') {
    const message = whyUnstorable(value);
    return message === undefined ? undefined : { field: path.join('.') || '(root)', message };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const bad = firstUnstorable(item, [...path, key]);
    if (bad !== undefined) return bad;
  }
  return undefined;
};

/**
 * Parses `value` with `schema`, or throws VALIDATION_FAILED naming the bad fields. The text
 * check walks the parsed value, whose depth the schema bounds, not the raw input.
 */
export const parseInput = <S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> => {
  const parsed = parseOrThrow(schema, value, where);
  const bad = firstUnstorable(parsed);
  if (bad !== undefined) throw validationFailed([bad], where);
  return parsed;
};
