/**
 * @module Rate limits at the edge: one named quota policy per middleware, answered in the IETF RateLimit header fields.
 *
 * Each request counts against the policy's partition (a client address, a user) before it
 * runs; over the quota it is answered 429 RATE_LIMITED with Retry-After, without running.
 * Every answer within a policy's reach carries `RateLimit-Policy: "name";q=100;w=60` and
 * `RateLimit: "name";r=42;t=17` (draft-ietf-httpapi-ratelimit-headers): the quota and window,
 * and what is left of it and for how long. Policies stack: each middleware adds its own item
 * to both lists.
 *
 * A counter store that fails (not a refusal: an error) lets the request through: limits are a
 * defence against abuse, not a reason to refuse everyone while Redis is down.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { defineError, type SeamError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { problemResponse, toProblem } from './problem.js';

export const RateLimited = defineError('RATE_LIMITED', 'exhausted', 'Too many requests');

export interface RateLimitOptions {
  /** The policy's name in the RateLimit header fields and in the problem's `violatedPolicies`. */
  readonly name: string;
  /** Requests per window, per partition key. */
  readonly points: number;
  readonly windowSeconds: number;
  /** The counters: built by a LimiterStore for this policy. */
  readonly limiter: RateLimiterAbstract;
  /** The partition this request counts in (an address, a user), or undefined: not counted here. */
  readonly key: (c: Context) => string | undefined | Promise<string | undefined>;
  /**
   * Whether an answered request stays counted (default: always). A policy that limits what
   * gets done (accounts created) rather than what is asked gives back the others' points.
   */
  readonly counts?: (response: Response) => boolean;
  /** The answer over the limit; the middleware adds the headers. Default: a bare problem+json. */
  readonly onLimited?: (c: Context, error: SeamError) => Response | Promise<Response>;
  /** Told when the counters fail and the request goes through uncounted. */
  readonly logger?: Logger;
}

/** Whole seconds, rounded up: waiting a little longer than needed is the safe side. */
const wholeSeconds = (ms: number): number => Math.max(Math.ceil(ms / 1000), 0);

/** An sf-string: the policy names are ours, so escaping the two special characters is enough. */
const sfString = (value: string): string => `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;

const defaultOnLimited = (c: Context, error: SeamError): Response => problemResponse(toProblem(error, { instance: c.req.path, titles: new Map() }));

/**
 * Limits requests to `points` per `windowSeconds` per key.
 *
 * @example
 * app.use('/api/*', rateLimit({
 *   name: 'default', points: 600, windowSeconds: 60,
 *   limiter: memoryStore()({ name: 'default', points: 600, durationSeconds: 60 }),
 *   key: clientAddress(),
 * }));
 */
export const rateLimit = (options: RateLimitOptions): MiddlewareHandler => {
  const { name, points, windowSeconds, limiter, logger } = options;
  const onLimited = options.onLimited ?? defaultOnLimited;
  const policy = `${sfString(name)};q=${points};w=${windowSeconds}`;
  const limit = (remaining: number, ms: number): string => `${sfString(name)};r=${Math.max(remaining, 0)};t=${wholeSeconds(ms)}`;

  return async (c, next) => {
    const key = await options.key(c);
    if (key === undefined) return next();
    let counted: RateLimiterRes;
    try {
      counted = await limiter.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) {
        logger?.warn({ err: refusal, policy: name }, 'rate limit counters failed; request let through uncounted');
        return next();
      }
      const retryAfter = Math.max(wholeSeconds(refusal.msBeforeNext), 1);
      const error = RateLimited.create(`Too many requests under the "${name}" limit (${points} per ${windowSeconds} s); retry in ${retryAfter} s`, {
        violatedPolicies: [name],
        retryAfterSeconds: retryAfter,
      });
      const response = await onLimited(c, error);
      response.headers.set('retry-after', String(retryAfter));
      response.headers.append('ratelimit-policy', policy);
      response.headers.append('ratelimit', limit(0, refusal.msBeforeNext));
      return response;
    }
    await next();
    if (options.counts && !options.counts(c.res)) {
      // Given back: the window's end is unchanged, so the headers below still hold.
      await limiter.reward(key).catch((error: unknown) => logger?.warn({ err: error, policy: name }, 'rate limit counters failed to give a point back'));
      counted = new RateLimiterRes(counted.remainingPoints + 1, counted.msBeforeNext, counted.consumedPoints - 1);
    }
    c.header('ratelimit-policy', policy, { append: true });
    c.header('ratelimit', limit(counted.remainingPoints, counted.msBeforeNext), { append: true });
  };
};
