/**
 * @module RFC 9457 problem details: the one shape every error takes at the HTTP edge, with the
 * public status of its code and kind (public-status.ts) and the Retry-After the failure
 * taxonomy chooses for its kind.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AnyContract } from '../kernel/contract.js';
import type { SeamError } from '../kernel/errors.js';
import { retryAfterSeconds } from '../kernel/failures.js';
import { httpStatusOf, type PublicStatuses } from './public-status.js';

export const problemContentType = 'application/problem+json';

/** The body of an error response. `code` is the stable, machine-readable identity. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: string;
  readonly requestId?: string;
  readonly [extension: string]: unknown;
}

const kebab = (code: string): string => code.toLowerCase().replace(/_/g, '-');

const humanise = (code: string): string => {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Code → title, from the errors every contract declares (plus the kernel's). */
export const errorTitles = (contracts: readonly AnyContract[], common: readonly { code: string; title: string }[]): ReadonlyMap<string, string> => {
  const titles = new Map(common.map((spec) => [spec.code, spec.title]));
  for (const contract of contracts) {
    for (const method of Object.values(contract.methods)) {
      for (const spec of method.errors) titles.set(spec.code, spec.title);
    }
  }
  return titles;
};

export interface ProblemContext {
  readonly instance: string;
  readonly requestId?: string | undefined;
  readonly titles: ReadonlyMap<string, string>;
  /** The application's statuses (publicStatuses()); HTTP's own when absent. */
  readonly statuses?: PublicStatuses | undefined;
}

/**
 * The problem document for `error`, with its public status. Server faults (5xx)
 * say nothing of their cause: the log has it, under the same request id.
 */
export const toProblem = (error: SeamError, context: ProblemContext): Problem => {
  const status = httpStatusOf(error, context.statuses);
  const serverFault = status >= 500;
  const { errors, ...otherDetails } = error.details ?? {};
  return {
    type: `urn:seam:problem:${kebab(error.code)}`,
    title: context.titles.get(error.code) ?? humanise(error.code),
    status,
    detail: serverFault ? (context.titles.get(error.code) ?? 'Internal error') : error.message,
    instance: context.instance,
    code: error.code,
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    ...(serverFault ? {} : { ...otherDetails, ...(errors === undefined ? {} : { errors }) }),
  };
};

/** A problem+json response. */
export const problemResponse = (problem: Problem): Response =>
  new Response(JSON.stringify(problem), {
    status: problem.status as ContentfulStatusCode,
    headers: { 'content-type': problemContentType },
  });

/**
 * The problem+json response for `error`. A 503 (unavailable, or outcome unknown) says when to
 * try again, with the same Idempotency-Key for a write, in Retry-After.
 */
export const errorResponse = (error: SeamError, context: ProblemContext): Response => {
  const response = problemResponse(toProblem(error, context));
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== undefined) response.headers.set('retry-after', String(retryAfter));
  return response;
};
