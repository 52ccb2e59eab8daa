/**
 * @module RFC 9457 problem details: the one shape every error takes at the HTTP edge.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AnyContract } from '../kernel/contract.js';
import type { SeamError } from '../kernel/errors.js';

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

/**
 * The problem document for `error`. Server faults (5xx) say nothing of their cause: the log
 * has it, under the same request id.
 */
export const toProblem = (
  error: SeamError,
  context: { instance: string; requestId?: string; titles: ReadonlyMap<string, string> },
): Problem => {
  const serverFault = error.status >= 500;
  const { errors, ...otherDetails } = error.details ?? {};
  return {
    type: `urn:seam:problem:${kebab(error.code)}`,
    title: context.titles.get(error.code) ?? humanise(error.code),
    status: error.status,
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
