/**
 * Login throttling on the monolith, over real sockets from several loopback addresses.
 *
 * What it promises: consecutive failed logins lock the account (from every address) and,
 * with a higher threshold, the address (for every account); a lock answers 429 LOGIN_LOCKED
 * with Retry-After, even to the right password; a success clears the account's and the
 * address's counts. The slowdown before the lock is turned off here (LOGIN_FAILURE_DELAY_MS=0)
 * and proven in src/gateway/login-throttle.test.ts, without waiting for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { clientAt, type AddressedReply } from '../support/from-address.js';
import { startTestApp } from '../support/test-app.js';

interface Reply {
  code?: string;
  token?: string;
  retryAfterSeconds?: number;
}

const password = 'the right password';
const lockSeconds = 900;

describe('login throttling on the monolith', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startTestApp({
      LOGIN_MAX_FAILURES: '10',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '15',
      LOGIN_LOCK_SECONDS: String(lockSeconds),
      LOGIN_FAILURE_DELAY_MS: '0',
      // This suite is one client sending many logins; its request quotas are not under test.
      RATE_LIMIT_AUTH: '1000/60',
      RATE_LIMIT_DEFAULT: '1000/60',
      RATE_LIMIT_REGISTER: '100/3600',
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const register = async (email: string): Promise<void> => {
    expect((await clientAt(app.url, '127.0.1.1').post('/auth/register', { email, password, name: 'Throttled' })).status).toBe(201);
  };
  const login = (from: string, email: string, secret: string) => clientAt(app.url, from).post<Reply>('/auth/login', { email, password: secret });
  const fail = async (from: string, email: string, times: number): Promise<void> => {
    for (let attempt = 0; attempt < times; attempt++) expect((await login(from, email, 'a wrong password')).body.code).toBe('INVALID_CREDENTIALS');
  };
  const expectLocked = (reply: AddressedReply<Reply>): void => {
    expect(reply.status).toBe(429);
    expect(reply.headers.get('content-type')).toBe('application/problem+json');
    expect(reply.body.code).toBe('LOGIN_LOCKED');
    const retryAfter = Number(reply.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(lockSeconds);
    expect(reply.body.retryAfterSeconds).toBe(retryAfter);
  };

  it('locks an account after 10 wrong passwords: the right one then gets 429 with Retry-After, from any address', async () => {
    await register('ada@example.com');
    await fail('127.0.1.11', 'ada@example.com', 10);
    expectLocked(await login('127.0.1.11', 'ada@example.com', password));
    expectLocked(await login('127.0.1.12', 'ada@example.com', password));
    // The email is the account however it is typed.
    expectLocked(await login('127.0.1.12', ' ADA@Example.com', password));
  });

  it('locks an email that has no account exactly like one that has, so the lock tells nothing', async () => {
    await fail('127.0.1.21', 'nobody@example.com', 10);
    expectLocked(await login('127.0.1.21', 'nobody@example.com', password));
  });

  it('leaves other accounts from the same address alone, and a success there clears the address count', async () => {
    await register('bob@example.com');
    await register('eve@example.com');
    await fail('127.0.1.31', 'eve@example.com', 10);
    expectLocked(await login('127.0.1.31', 'eve@example.com', password));
    expect((await login('127.0.1.31', 'bob@example.com', password)).status).toBe(200);
  });

  it('counts consecutive failures: a success resets the account', async () => {
    await register('carol@example.com');
    for (let round = 0; round < 2; round++) {
      await fail('127.0.1.41', 'carol@example.com', 9);
      const success = await login('127.0.1.41', 'carol@example.com', password);
      expect(success.status).toBe(200);
      expect(success.body.token).toEqual(expect.any(String));
    }
  });

  it('locks an address that fails for many accounts, for every account, and no other address', async () => {
    await register('dave@example.com');
    // 15 failures spread over 5 accounts: no account near its own lock.
    for (const account of ['a', 'b', 'c', 'd', 'e']) await fail('127.0.1.51', `${account}@spray.example`, 3);
    expectLocked(await login('127.0.1.51', 'dave@example.com', password));
    expect((await login('127.0.1.52', 'dave@example.com', password)).status).toBe(200);
  });
});
