/**
 * @module The problem+json answers of an operation, one response per HTTP status, listing the
 * codes behind it. Statuses come from public-status.ts and each code's example from
 * problem.ts, the functions the edge answers with, so the description cannot drift from them.
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import type { ErrorSpec } from '../../kernel/errors.js';
import { problemContentType, toProblem } from '../problem.js';
import { httpStatusOf, type PublicStatuses } from '../public-status.js';

/** The problem document (RFC 9457) as the edge writes it; a refusal may add details beside `errors`. */
export const problemSchema = z
  .object({
    type: z.string().describe('urn:seam:problem:<code in kebab case>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('The path of the request'),
    code: z.string().describe('The stable, machine-readable identity of the error: branch on this'),
    requestId: z.string().optional().describe('Also in the x-request-id header; the server log has the same id'),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('VALIDATION_FAILED: each bad field'),
  })
  .catchall(z.unknown());

export const problemSchemaRef = { $ref: '#/components/schemas/Problem' } as const;

const exampleRequestId = '0b9e3f4c-8d2a-4c1e-9f6b-2a7d5e1c3b80';

const retryAfterHeader: OpenAPIV3_1.HeaderObject = {
  description: 'Seconds to wait before trying again (with the same Idempotency-Key for a write).',
  schema: { type: 'integer', minimum: 1 },
};

const exampleOf = (spec: ErrorSpec, instance: string, statuses: PublicStatuses | undefined): OpenAPIV3_1.ExampleObject => {
  const titles = new Map([[spec.code, spec.title]]);
  const details = spec.code === 'VALIDATION_FAILED' ? { errors: [{ field: 'limit', message: 'must be a whole number from 1 to 100' }] } : undefined;
  const error = spec.create(spec.code === 'VALIDATION_FAILED' ? 'Invalid query: limit must be a whole number from 1 to 100' : spec.title, details);
  return { summary: spec.title, value: toProblem(error, { instance, requestId: exampleRequestId, titles, statuses }) };
};

/**
 * One response per status the errors answer with, in status order, each naming its codes
 * and giving an example per code.
 */
export const problemResponses = (errors: readonly ErrorSpec[], instance: string, statuses?: PublicStatuses): Record<string, OpenAPIV3_1.ResponseObject> => {
  const byStatus = new Map<number, ErrorSpec[]>();
  for (const spec of errors) {
    const status = httpStatusOf(spec, statuses);
    const specs = byStatus.get(status) ?? [];
    if (!specs.some((known) => known.code === spec.code)) specs.push(spec);
    byStatus.set(status, specs);
  }
  const responses: Record<string, OpenAPIV3_1.ResponseObject> = {};
  for (const [status, specs] of [...byStatus].sort(([a], [b]) => a - b)) {
    const retries = status === 503 || status === 429;
    responses[String(status)] = {
      description: specs.map((spec) => `\`${spec.code}\`: ${spec.title}`).join('; '),
      ...(retries ? { headers: { 'Retry-After': retryAfterHeader } } : {}),
      content: {
        [problemContentType]: {
          schema: problemSchemaRef,
          examples: Object.fromEntries(specs.map((spec) => [spec.code, exampleOf(spec, instance, statuses)])),
        },
      },
    };
  }
  return responses;
};
