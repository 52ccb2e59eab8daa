/**
 * @module Turns zod failures into VALIDATION_FAILED errors that name each field.
 */
import type { z } from 'zod';
import { validationFailed, type FieldIssue } from './errors.js';

/** A UUID in its canonical text form, any case. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `value` is a UUID. Ids from outside (a URL, a message) are checked with it before
 * they reach a uuid column, so a malformed id is "not found" instead of a database error.
 */
export const isUuid = (value: string): boolean => uuidPattern.test(value);

/** zod's issues as `{ field, message }`, with dotted paths (`items.0.quantity`). */
export const fieldIssues = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));

/**
 * Parses `value` with `schema`, or throws VALIDATION_FAILED naming every bad field.
 *
 * @example
 * const input = parseOrThrow(listMessagesInput, raw, 'mail.listMessages input');
 */
export const parseOrThrow = <S extends z.ZodType>(schema: S, value: unknown, where?: string): z.output<S> => {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(fieldIssues(result.error), where);
  return result.data;
};
