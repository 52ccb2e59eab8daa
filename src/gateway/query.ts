/**
 * @module Query-string parsing for public routes: strings in, typed values out, or a 400
 * that names the field.
 */
import { z } from 'zod';
import { parseInput } from './input.js';

/** An empty parameter (`?q=`) means the parameter was not given. */
const absentWhenEmpty = (value: unknown): unknown => (value === '' ? undefined : value);

/** An optional whole number in [min, max], given as a query-string parameter. */
export const wholeNumberParam = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    absentWhenEmpty,
    z
      .string()
      .regex(/^\d{1,9}$/, message)
      .transform(Number)
      .pipe(z.number().int().min(min, message).max(max, message))
      .optional(),
  );
};

/** An optional text parameter, trimmed, at most `max` characters. */
export const textParam = (max: number) =>
  z.preprocess(
    (value) => absentWhenEmpty(typeof value === 'string' ? value.trim() : value),
    z.string().max(max, `must be at most ${max} characters`).optional(),
  );

/** An optional slug parameter: lower-case letters, digits and dashes. */
export const slugParam = () =>
  z.preprocess(absentWhenEmpty, z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a slug (a-z, 0-9, -)').optional());

/** Parses a request's query parameters with `schema`, or throws VALIDATION_FAILED. */
export const parseQuery = <S extends z.ZodType>(schema: S, query: Record<string, string>): z.output<S> =>
  parseInput(schema, query, 'Invalid query');
