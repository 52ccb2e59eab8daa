/**
 * @module The public edge's own settings: rate limits (the default, and each route group the
 * application declares), login throttling and which proxies to believe. They belong to the
 * edge, not to the kernel, so they are read here from the environment the process started with.
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

/**
 * A rate limit on a group of the application's routes, on top of the default: declared by its
 * edge (PublicEdge.routeLimits), set by the variable RATE_LIMIT_<NAME>.
 */
export interface RouteLimit {
  /** Lower-case identifier; the variable is RATE_LIMIT_<NAME upper-cased>. */
  readonly name: string;
  /** Every method when absent. */
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below /api/v<major>, in hono's syntax: '/orders', '/auth/*'. */
  readonly path: string;
  /** Who a count belongs to: the client address, or the signed-in user (requests without a valid token are not counted). */
  readonly per: 'address' | 'user';
  /** `requests/seconds` when the variable is unset. */
  readonly defaultRule: `${number}/${number}`;
  /** Which answers count (default: all); e.g. only accounts created. */
  readonly counts?: (response: Response) => boolean;
}

/** The variable that sets `limit`. */
export const routeLimitVariable = (limit: Pick<RouteLimit, 'name'>): string => `RATE_LIMIT_${limit.name.toUpperCase()}`;

const edgeVariables = z.object({
  SEAM_TRUST_PROXY_HOPS: wholeNumber('hops', 0).default(0),
  RATE_LIMIT: onOff.default('on'),
  RATE_LIMIT_DEFAULT: rateLimit.prefault('600/60'),
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
    /** The rule of each route group the application declared, by name. */
    readonly routes: Readonly<Record<string, RateLimitRule | undefined>>;
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
 * Reads the edge's settings, with a rule for each of `routeLimits`; a bad value is a
 * ConfigError naming the variable (exit 78).
 *
 * @example
 * const edge = readEdgeSettings({ RATE_LIMIT_AUTH: '30/60' }, [{ name: 'auth', path: '/auth/*', per: 'address', defaultRule: '60/60' }]);
 */
export const readEdgeSettings = (env: Environment, routeLimits: readonly RouteLimit[] = []): EdgeConfig => {
  const routeVariables = z.object(Object.fromEntries(routeLimits.map((limit) => [routeLimitVariable(limit), rateLimit.prefault(limit.defaultRule)])));
  const vars = parseEnvironment(edgeVariables, env);
  const routeVars = parseEnvironment(routeVariables, env) as Record<string, RateLimitRule>;
  const routes = Object.fromEntries(routeLimits.map((limit): [string, RateLimitRule | undefined] => [limit.name, routeVars[routeLimitVariable(limit)]]));
  return {
    trustProxyHops: vars.SEAM_TRUST_PROXY_HOPS,
    rateLimits: {
      enabled: vars.RATE_LIMIT === 'on',
      default: vars.RATE_LIMIT_DEFAULT,
      routes,
    },
    login: {
      maxFailures: vars.LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: vars.LOGIN_MAX_FAILURES_PER_ADDRESS,
      lockSeconds: vars.LOGIN_LOCK_SECONDS,
      failureDelayMs: vars.LOGIN_FAILURE_DELAY_MS,
    },
  };
};
