/**
 * @module The edge's protection as configured: rate limits and login throttling, counted in one store.
 *
 * | policy     | counts                                    | per            | setting             |
 * | ---------- | ----------------------------------------- | -------------- | ------------------- |
 * | `default`  | every /api/v1 request                     | client address | RATE_LIMIT_DEFAULT  |
 * | `user`     | every /api/v1 request with a valid token  | signed-in user | RATE_LIMIT_DEFAULT  |
 * | each of the application's route limits (its edge's `routeLimits`)   | RATE_LIMIT_<NAME>   |
 *
 * Probes and /metrics live outside /api/v1 and are never limited. RATE_LIMIT=off turns the
 * policies off; login throttling (LOGIN_*) stays, being a defence of accounts, not of capacity.
 */
import { Hono, type Context } from 'hono';
import type { AccessTokens } from '../kernel/access-token.js';
import type { SeamError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { clientAddress } from './client-address.js';
import type { LimiterStore } from './limiter-store.js';
import { LoginLocked, loginThrottle, type LoginThrottle } from './login-throttle.js';
import { RateLimited, rateLimit } from './rate-limit.js';
import type { EdgeConfig, RateLimitRule, RouteLimit } from './settings.js';

/** The errors the edge's protection answers with, for problem titles. */
export const edgeErrors = [RateLimited, LoginLocked] as const;

export interface EdgeProtectionOptions {
  readonly config: EdgeConfig;
  readonly store: LimiterStore;
  readonly tokens: AccessTokens;
  /** The problem answer for a refusal; the limits add Retry-After and the RateLimit fields. */
  readonly onLimited: (c: Context, error: SeamError) => Response | Promise<Response>;
  readonly logger: Logger;
  /** The application's route groups; each has its rule in `config.rateLimits.routes`. */
  readonly routeLimits?: readonly RouteLimit[];
}

export interface EdgeProtection {
  /** Middleware only; mount it on the /api/v1 app before its routes. */
  readonly limits: Hono;
  /** For the login route. */
  readonly logins: LoginThrottle;
}

const bearer = /^Bearer\s+(\S+)$/i;

/**
 * The signed-in user's partition, from a valid bearer token; undefined without one (the
 * route's own authentication answers a bad token). Verified tokens are cached by AccessTokens,
 * so the route's check that follows costs nothing more.
 */
const signedInUser =
  (tokens: AccessTokens) =>
  async (c: Context): Promise<string | undefined> => {
    const token = bearer.exec(c.req.header('authorization') ?? '')?.[1];
    if (token === undefined) return undefined;
    try {
      return `user:${(await tokens.verify(token)).userId}`;
    } catch {
      return undefined;
    }
  };

/**
 * @example
 * const edge = edgeProtection({ config: readEdgeSettings(process.env), store: memoryStore(), tokens, logger, onLimited: problemFor });
 * api.route('/', edge.limits);
 * api.route('/', loginRoutes(identity, tokens, edge.logins));
 */
export const edgeProtection = (options: EdgeProtectionOptions): EdgeProtection => {
  const { config, store, logger, onLimited } = options;
  const address = clientAddress({ trustProxyHops: config.trustProxyHops });
  const addressKey = (c: Context): string => `address:${address(c)}`;
  const logins = loginThrottle({
    store,
    address,
    maxFailures: config.login.maxFailures,
    maxFailuresPerAddress: config.login.maxFailuresPerAddress,
    lockSeconds: config.login.lockSeconds,
    failureDelayMs: config.login.failureDelayMs,
    onLocked: onLimited,
    logger,
  });
  const limits = new Hono();
  if (!config.rateLimits.enabled) return { limits, logins };

  const policy = (name: string, rule: RateLimitRule, key: (c: Context) => string | undefined | Promise<string | undefined>, counts?: (response: Response) => boolean) =>
    rateLimit({
      name,
      points: rule.points,
      windowSeconds: rule.durationSeconds,
      // A policy that gives points back must ask the store each time: see LimiterSpec.blockInMemory.
      limiter: store({ name, points: rule.points, durationSeconds: rule.durationSeconds, blockInMemory: counts === undefined }),
      key,
      ...(counts ? { counts } : {}),
      onLimited,
      logger,
    });
  const user = signedInUser(options.tokens);
  const { rateLimits } = config;
  limits.use('*', policy('default', rateLimits.default, addressKey));
  limits.use('*', policy('user', rateLimits.default, user));
  for (const limit of options.routeLimits ?? []) {
    const rule = rateLimits.routes[limit.name];
    if (rule === undefined) throw new Error(`Route limit ${limit.name} has no rule: read the settings with the same route limits`);
    const counted = policy(limit.name, rule, limit.per === 'user' ? user : addressKey, limit.counts);
    if (limit.method === undefined) limits.use(limit.path, counted);
    else limits.on(limit.method, limit.path, counted);
  }
  return { limits, logins };
};
