/**
 * @module JSON request bodies: the media type checked, the JSON parsed, the shape validated,
 * each failure a 4xx that says what was wrong.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { validationFailed } from '../kernel/errors.js';
import { parseInput } from './input.js';
import { UnsupportedMediaType } from './protocol-errors.js';

/**
 * Reads the request body as JSON and parses it with `schema`.
 *
 * @example
 * const input = await readJson(c, z.object({ email: z.email(), password: z.string().min(8) }));
 */
export const readJson = async <S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> => {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw UnsupportedMediaType.create('Send the body as JSON with "Content-Type: application/json"');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (error) {
    // The body limit middleware raises its own error while the body streams; keep it.
    if (error instanceof Error && error.name === 'SeamError') throw error;
    throw validationFailed([{ field: '(body)', message: 'is not valid JSON' }], 'Invalid body');
  }
  return parseInput(schema, body, 'Invalid body');
};
