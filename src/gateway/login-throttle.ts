/**
 * @module Login throttling: consecutive failed logins per account and per client address slow the answers down, then lock.
 *
 * rate-limiter-flexible's brute-force pattern, with two consecutive-failure counters: one per
 * account (the email as typed, so unknown emails lock exactly like real ones and the lock tells
 * nothing about which exist) and one per address. An attempt takes its point from both BEFORE
 * the password is checked, so a locked account or address costs no scrypt, and a burst of
 * parallel guesses cannot all slip past the count. A wrong password keeps the points; a
 * success clears both counters; any other outcome (identity unavailable) gives them back.
 *
 * Scope, on purpose: the account lock applies from every address (a guesser cannot rotate
 * addresses around it, at the price that anyone can lock an account for `lockSeconds`); the
 * address lock applies to every account (a guesser cannot spray one password over many
 * accounts), with a higher threshold since many people may share an address.
 */
import type { Context } from 'hono';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineError, SeamError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { LimiterStore } from './limiter-store.js';

export const LoginLocked = defineError('LOGIN_LOCKED', 'exhausted', 'Too many failed logins');

export interface LoginThrottleOptions {
  readonly store: LimiterStore;
  /** The address an attempt comes from. */
  readonly address: (c: Context) => string;
  /** Consecutive failures for one account before it is locked (default 10). */
  readonly maxFailures?: number;
  /** Consecutive failures from one address, over all accounts, before it is locked (default 100). */
  readonly maxFailuresPerAddress?: number;
  /** How long a lock lasts, and how long failures are remembered (default 900 s). */
  readonly lockSeconds?: number;
  /**
   * Each consecutive failure after the first is answered this much later than the one before
   * (default 250 ms; at most ten steps): the slowdown before the lock.
   */
  readonly failureDelayMs?: number;
  /** The answer to a locked attempt; Retry-After is added. */
  readonly onLocked: (c: Context, error: SeamError) => Response | Promise<Response>;
  readonly logger?: Logger;
  /** Waits `ms`; replaceable so a test can see the slowdown without waiting for it. */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

export interface LoginThrottle {
  /**
   * Runs `login` for `account` unless the account or the address is locked, and counts its
   * outcome: a failure of kind `unauthenticated` (a wrong password) is counted, a success
   * resets both counters.
   */
  attempt(c: Context, account: string, login: () => Promise<Response>): Promise<Response>;
}

/** No throttling: what a gateway without edge protection uses. */
export const unthrottledLogins: LoginThrottle = { attempt: (_c, _account, login) => login() };

const refusalOf = (outcome: PromiseSettledResult<RateLimiterRes>): RateLimiterRes | undefined =>
  outcome.status === 'rejected' && outcome.reason instanceof RateLimiterRes ? outcome.reason : undefined;

/**
 * @example
 * const logins = loginThrottle({ store: memoryStore(), address: clientAddress(), onLocked: (c, error) => problemFor(c, error) });
 * routes.post('/auth/login', async (c) => logins.attempt(c, email, async () => c.json(await identity.login(credentials))));
 */
export const loginThrottle = (options: LoginThrottleOptions): LoginThrottle => {
  const lockSeconds = options.lockSeconds ?? 900;
  const stepMs = options.failureDelayMs ?? 250;
  const wait = options.sleep ?? sleep;
  const { logger } = options;
  const counter = (name: string, points: number) => options.store({ name, points, durationSeconds: lockSeconds, blockSeconds: lockSeconds });
  const accounts = counter('login-account', options.maxFailures ?? 10);
  const addresses = counter('login-address', options.maxFailuresPerAddress ?? 100);
  const warn = (error: unknown, what: string) => logger?.warn({ err: error }, `login throttle: ${what}`);

  const refuse = async (c: Context, refusal: RateLimiterRes): Promise<Response> => {
    const retryAfter = Math.max(Math.ceil(refusal.msBeforeNext / 1000), 1);
    const error = LoginLocked.create(`Too many failed logins; try again in ${retryAfter} s`, { retryAfterSeconds: retryAfter });
    const response = await options.onLocked(c, error);
    response.headers.set('retry-after', String(retryAfter));
    return response;
  };

  return {
    async attempt(c, account, login) {
      const address = options.address(c);
      const [byAccount, byAddress] = await Promise.allSettled([accounts.consume(account), addresses.consume(address)]);
      const refusal = refusalOf(byAccount) ?? refusalOf(byAddress);
      // An attempt refused by one counter was no attempt: the other gets its point back.
      const giveBack = (): Promise<unknown> =>
        Promise.all([
          byAccount.status === 'fulfilled' ? accounts.reward(account) : undefined,
          byAddress.status === 'fulfilled' ? addresses.reward(address) : undefined,
        ]).catch((error: unknown) => warn(error, 'could not give points back'));
      if (refusal) {
        await giveBack();
        return refuse(c, refusal);
      }
      if (byAccount.status === 'rejected' || byAddress.status === 'rejected') {
        warn(byAccount.status === 'rejected' ? byAccount.reason : (byAddress as PromiseRejectedResult).reason, 'counters failed; attempt let through');
      }
      try {
        const response = await login();
        await Promise.all([accounts.delete(account), addresses.delete(address)]).catch((error: unknown) => warn(error, 'could not reset counters after a login'));
        return response;
      } catch (error) {
        if (!(error instanceof SeamError && error.kind === 'unauthenticated')) {
          await giveBack();
          throw error;
        }
        // Slowed by the account's failures only: people sharing an address should not all
        // wait for one another's typos (the address has its lock for that).
        const failures = byAccount.status === 'fulfilled' ? byAccount.value.consumedPoints : 1;
        const delayMs = stepMs * Math.min(failures - 1, 10);
        if (delayMs > 0) await wait(delayMs);
        throw error;
      }
    },
  };
};
