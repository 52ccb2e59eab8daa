/**
 * @module The public edge's own settings: rate limits per route group, login throttling and
 * which proxies to believe. They belong to this application's edge, not to the framework, so
 * they are read here from the environment the process started with, not by the kernel.
 */
import { z } from 'zod';
import { milliseconds, onOff, parseEnvironment, seconds, wholeNumber, type Environment } from '../kernel/environment.js';

/** So many requests per window, per client address or per user. */
export interface RateLimitRule {
  readonly points: number;
  readonly durationSeconds: number;
}

/** `points/seconds`: that many requests per window of that many seconds. */
const rateLimit = z
  .string()
  .regex(/^[1-9][0-9]*\/[1-9][0-9]*$/, 'expected "requests/seconds", e.g. "600/60"')
  .transform((spec): RateLimitRule => {
    const [points = '0', window = '0'] = spec.split('/');
    return { points: Number(points), durationSeconds: Number(window) };
  });

const edgeVariables = z.object({
  SEAM_TRUST_PROXY_HOPS: wholeNumber('hops', 0).default(0),
  RATE_LIMIT: onOff.default('on'),
  RATE_LIMIT_DEFAULT: rateLimit.prefault('600/60'),
  RATE_LIMIT_AUTH: rateLimit.prefault('60/60'),
  RATE_LIMIT_ORDERS: rateLimit.prefault('120/60'),
  RATE_LIMIT_REGISTER: rateLimit.prefault('20/3600'),
  LOGIN_MAX_FAILURES: wholeNumber('failures', 1).default(10),
  LOGIN_MAX_FAILURES_PER_ADDRESS: wholeNumber('failures', 1).default(100),
  LOGIN_LOCK_SECONDS: seconds(1).default(900),
  LOGIN_FAILURE_DELAY_MS: milliseconds(0).default(250),
});

/** What the public edge protects itself with. */
export interface EdgeConfig {
  /** Proxies in front of the gateway whose X-Forwarded-For entries are believed (0: none). */
  readonly trustProxyHops: number;
  readonly rateLimits: {
    readonly enabled: boolean;
    /** Every /api request, per address and per signed-in user. */
    readonly default: RateLimitRule;
    /** /auth/* (register, login), per address. */
    readonly auth: RateLimitRule;
    /** POST /orders, per user. */
    readonly orders: RateLimitRule;
    /** Accounts registered, per address. */
    readonly register: RateLimitRule;
  };
  readonly login: {
    /** Consecutive failed logins for one account, from any address, before it is locked. */
    readonly maxFailures: number;
    /** Consecutive failed logins from one address, for any account, before it is locked (higher: addresses are shared). */
    readonly maxFailuresPerAddress: number;
    readonly lockSeconds: number;
    /** Each consecutive failure of an account is answered this much later than the one before (the slowdown before the lock). */
    readonly failureDelayMs: number;
  };
}

/**
 * Reads the edge's settings; a bad value is a ConfigError naming the variable (exit 78).
 *
 * @example
 * const edge = readEdgeSettings({ RATE_LIMIT_AUTH: '30/60' });
 */
export const readEdgeSettings = (env: Environment): EdgeConfig => {
  const vars = parseEnvironment(edgeVariables, env);
  return {
    trustProxyHops: vars.SEAM_TRUST_PROXY_HOPS,
    rateLimits: {
      enabled: vars.RATE_LIMIT === 'on',
      default: vars.RATE_LIMIT_DEFAULT,
      auth: vars.RATE_LIMIT_AUTH,
      orders: vars.RATE_LIMIT_ORDERS,
      register: vars.RATE_LIMIT_REGISTER,
    },
    login: {
      maxFailures: vars.LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: vars.LOGIN_MAX_FAILURES_PER_ADDRESS,
      lockSeconds: vars.LOGIN_LOCK_SECONDS,
      failureDelayMs: vars.LOGIN_FAILURE_DELAY_MS,
    },
  };
};
