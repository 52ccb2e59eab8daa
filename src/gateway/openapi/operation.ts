/**
 * @module One public route's OpenAPI description, from the zod schemas the route parses with
 * and the errors the contract methods it calls declare. `describeOperation` returns
 * hono-openapi's `describeRoute` middleware, which only carries the description (it passes
 * every request straight on), so documenting a route never changes how it answers.
 */
import type { MiddlewareHandler } from 'hono';
import { describeRoute, resolver } from 'hono-openapi';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { commonErrors, Forbidden, Unauthorized, ValidationFailed, type ErrorSpec } from '../../kernel/errors.js';
import { RateLimited } from '../rate-limit.js';
import { PayloadTooLarge, UnsupportedMediaType } from '../protocol-errors.js';
import type { PublicStatuses } from '../public-status.js';
import { problemResponses } from './problems.js';

/** Who may call a route: anyone, any signed-in user, or an administrator only. */
export type Access = 'public' | 'signed-in' | 'admin';

export interface AnswerDoc {
  readonly description: string;
  /**
   * What the route answers. Described as zod accepts it, objects open, so that a field added
   * later (an additive change) does not fail a client that validates answers.
   */
  readonly schema: z.ZodType;
  readonly example: unknown;
}

export interface OperationDoc {
  /** Stable and unique: clients generate method names from it. */
  readonly operationId: string;
  /** A real path of the route, for the examples' `instance`. */
  readonly examplePath: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly access: Access;
  /** Path parameters by name, with what each one is. */
  readonly path?: Readonly<Record<string, string>>;
  /** The schema the route's `parseQuery` uses; `requiredQuery` for parameters the route itself insists on. */
  readonly query?: z.ZodObject;
  readonly requiredQuery?: readonly string[];
  /** The schema the route's `readJson` uses, and an example that passes it. */
  readonly body?: { readonly schema: z.ZodType; readonly example: unknown };
  /** The route requires an Idempotency-Key header. */
  readonly idempotencyKey?: boolean;
  readonly answers: Readonly<Record<number, AnswerDoc>>;
  /** The domain errors of the contract methods the route calls, and any of the edge's own. */
  readonly errors: readonly ErrorSpec[];
  /** The application's public statuses (its edge's `statusByCode`), when an error's is not its kind's. */
  readonly statuses?: PublicStatuses;
}

const bearerSecurity = [{ bearer: [] }];

const idempotencyKeyParameter: OpenAPIV3_1.ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'A unique key (1 to 200 characters) per order. Sending the same key again returns the first order and creates nothing, ' +
    'so a request whose answer was lost (a timeout, a 503 OUTCOME_UNKNOWN) is safe to retry with it.',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
  example: '6f1c2b7e-1d5a-4c59-9a53-0d1e5b7c2a10',
};

/** Query parameters, one per property of the schema, as zod accepts them. */
const queryParameters = (query: z.ZodObject, required: readonly string[]): OpenAPIV3_1.ParameterObject[] => {
  // openapi-types types a 3.1 parameter's schema as 3.0's; these are plain string schemas, valid in both.
  const json = z.toJSONSchema(query, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' }) as { properties?: Record<string, OpenAPIV3_1.ParameterObject['schema']> };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }));
};

const pathParameters = (path: Readonly<Record<string, string>>): OpenAPIV3_1.ParameterObject[] =>
  Object.entries(path).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string', minLength: 1, maxLength: 100 } }));

/** Every error a route may answer: its own, then what the edge adds for how it is called. */
const errorsOf = (doc: OperationDoc): readonly ErrorSpec[] => {
  const takesInput = doc.body !== undefined || doc.query !== undefined || doc.path !== undefined || doc.idempotencyKey === true;
  return [
    ...(takesInput ? [ValidationFailed] : []),
    ...(doc.body ? [UnsupportedMediaType, PayloadTooLarge] : []),
    ...(doc.access === 'public' ? [] : [Unauthorized]),
    ...(doc.access === 'admin' ? [Forbidden] : []),
    ...doc.errors,
    RateLimited,
    // The kernel's failures any call may meet (a service down, a lost outcome, a bug).
    ...commonErrors.filter((spec) => ![ValidationFailed, Unauthorized, Forbidden].some((edge) => edge.code === spec.code) && spec.code !== 'NOT_FOUND'),
  ];
};

const accessNote: Readonly<Record<Access, string>> = {
  public: '',
  'signed-in': 'Requires a bearer access token (POST /auth/login).',
  admin: "Requires an administrator's bearer access token.",
};

/**
 * The route's OpenAPI operation, as middleware to put before its handler.
 *
 * @example
 * routes.get('/categories', describeOperation({ operationId: 'listCategories', tag: 'Catalog', summary: 'Lists every category',
 *   access: 'public', answers: { 200: { description: 'Every category', schema: categories, example } }, errors: [] }), handler);
 */
export const describeOperation = (doc: OperationDoc): MiddlewareHandler => {
  const instance = `/api/v1${doc.examplePath}`;
  const answers = Object.fromEntries(
    Object.entries(doc.answers).map(([status, answer]) => [
      status,
      {
        description: answer.description,
        content: { 'application/json': { schema: resolver(answer.schema), example: answer.example } },
      },
    ]),
  );
  const description = [doc.description, accessNote[doc.access]].filter((text) => text !== undefined && text !== '').join('\n\n');
  return describeRoute({
    operationId: doc.operationId,
    tags: [doc.tag],
    summary: doc.summary,
    ...(description === '' ? {} : { description }),
    ...(doc.access === 'public' ? { security: [] } : { security: bearerSecurity }),
    parameters: [
      ...(doc.path ? pathParameters(doc.path) : []),
      ...(doc.query ? queryParameters(doc.query, doc.requiredQuery ?? []) : []),
      ...(doc.idempotencyKey ? [idempotencyKeyParameter] : []),
    ],
    ...(doc.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: resolver(doc.body.schema), example: doc.body.example } } } }
      : {}),
    responses: { ...answers, ...problemResponses(errorsOf(doc), instance, doc.statuses) },
  });
};
