import type { Context } from 'hono';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { defineError, ServiceUnavailable, type SeamError } from '../kernel/errors.js';
import { memoryStore, type LimiterStore } from './limiter-store.js';
import { httpStatusOf } from './public-status.js';
import { loginThrottle, type LoginThrottleOptions } from './login-throttle.js';

/** A wrong password, as an application's identity module would declare it. */
const InvalidCredentials = defineError('INVALID_CREDENTIALS', 'unauthenticated', 'The email or password is wrong');

/** A request from `address`; the throttle reads nothing else of the context. */
const fromAddress = (address: string) => ({ address }) as unknown as Context;

const setup = (overrides: Partial<LoginThrottleOptions> = {}) => {
  const delays: number[] = [];
  let checks = 0;
  const throttle = loginThrottle({
    store: memoryStore(),
    address: (c) => (c as unknown as { address: string }).address,
    maxFailures: 3,
    maxFailuresPerAddress: 5,
    lockSeconds: 900,
    failureDelayMs: 100,
    onLocked: (_c, error: SeamError) => new Response(JSON.stringify({ code: error.code }), { status: httpStatusOf(error) }),
    sleep: async (ms) => delays.push(ms),
    ...overrides,
  });
  /** One attempt: 200 when `right`, INVALID_CREDENTIALS (as the route would answer it, 401) otherwise. */
  const attempt = async (account: string, address: string, outcome: 'right' | 'wrong' | Error): Promise<number> => {
    try {
      const response = await throttle.attempt(fromAddress(address), account, async () => {
        checks += 1;
        if (outcome === 'right') return new Response('{}', { status: 200 });
        throw outcome === 'wrong' ? InvalidCredentials.create() : outcome;
      });
      return response.status;
    } catch (error) {
      return httpStatusOf(error as SeamError);
    }
  };
  return { throttle, attempt, delays, checks: () => checks };
};

describe('loginThrottle', () => {
  it('locks an account after its consecutive failures, without checking the password again', async () => {
    const { attempt, checks, throttle } = setup();
    for (let failure = 0; failure < 3; failure++) expect(await attempt('ada', '10.0.0.1', 'wrong')).toBe(401);
    expect(checks()).toBe(3);
    const locked = await throttle.attempt(fromAddress('10.0.0.1'), 'ada', () => Promise.reject(new Error('must not run')));
    expect(locked.status).toBe(429);
    expect(await locked.json()).toEqual({ code: 'LOGIN_LOCKED' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    expect(await attempt('ada', '10.0.0.2', 'right')).toBe(429);
    expect(checks()).toBe(3);
  });

  it('lets a burst of parallel guesses reach the password check no more often than the lock allows', async () => {
    const { attempt, checks } = setup();
    const statuses = await Promise.all(Array.from({ length: 20 }, () => attempt('ada', '10.0.0.1', 'wrong')));
    expect(checks()).toBe(3);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);
  });

  it('answers each consecutive failure of an account later than the one before: the slowdown before the lock', async () => {
    const { attempt, delays } = setup({ maxFailures: 20, maxFailuresPerAddress: 100 });
    for (let failure = 0; failure < 13; failure++) await attempt('ada', '10.0.0.1', 'wrong');
    expect(delays).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1000, 1000]);
  });

  it('resets both counts on a success', async () => {
    const { attempt } = setup();
    for (let round = 0; round < 3; round++) {
      for (let failure = 0; failure < 2; failure++) expect(await attempt('ada', '10.0.0.1', 'wrong')).toBe(401);
      expect(await attempt('ada', '10.0.0.1', 'right')).toBe(200);
    }
  });

  it('locks an address that fails for many accounts, for every account, and no other address', async () => {
    const { attempt } = setup();
    for (const account of ['a', 'b', 'c', 'd', 'e']) expect(await attempt(account, '10.0.0.1', 'wrong')).toBe(401);
    expect(await attempt('f', '10.0.0.1', 'right')).toBe(429);
    expect(await attempt('f', '10.0.0.2', 'right')).toBe(200);
  });

  it('does not count an attempt refused by the other counter, nor one that failed for another reason', async () => {
    const { attempt } = setup();
    for (let failure = 0; failure < 3; failure++) await attempt('ada', '10.0.0.1', 'wrong');
    // ada is locked: these attempts from 10.0.0.9 are refused and leave its count alone...
    for (let refused = 0; refused < 10; refused++) expect(await attempt('ada', '10.0.0.9', 'wrong')).toBe(429);
    // ...as do failures that say nothing about the password.
    for (let outage = 0; outage < 10; outage++) expect(await attempt('bob', '10.0.0.9', ServiceUnavailable.create())).toBe(503);
    expect(await attempt('bob', '10.0.0.9', 'right')).toBe(200);
  });

  it('lets logins through, uncounted, when its counters fail', async () => {
    const broken: LimiterStore = (spec) => {
      const limiter = new RateLimiterMemory({ points: spec.points, duration: spec.durationSeconds });
      limiter.consume = () => Promise.reject(new Error('store down'));
      return limiter;
    };
    const { attempt, checks } = setup({ store: broken });
    for (let failure = 0; failure < 5; failure++) expect(await attempt('ada', '10.0.0.1', 'wrong')).toBe(401);
    expect(await attempt('ada', '10.0.0.1', 'right')).toBe(200);
    expect(checks()).toBe(6);
  });
});
