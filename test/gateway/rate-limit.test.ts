/**
 * Rate limits at the edge of the monolith, over real sockets: each test is its own client
 * addresses (127.0.0.x, all loopback), so their counts never mix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { clientAt, requestFrom, type AddressedReply } from '../support/from-address.js';
import { startTestApp } from '../support/test-app.js';

interface Problem {
  code: string;
  status: number;
  violatedPolicies?: string[];
  retryAfterSeconds?: number;
}

/** A 429 RATE_LIMITED for `policy`, with a Retry-After the RateLimit field agrees with. */
const expectRefused = (reply: AddressedReply<Problem>, policy: string): void => {
  expect(reply.status).toBe(429);
  expect(reply.headers.get('content-type')).toBe('application/problem+json');
  expect(reply.body).toMatchObject({ code: 'RATE_LIMITED', violatedPolicies: [policy] });
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(reply.body.retryAfterSeconds).toBe(retryAfter);
  expect(reply.headers.get('ratelimit')).toContain(`"${policy}";r=0;t=${retryAfter}`);
};

const signUp = async (url: string, from: string, email: string): Promise<string> => {
  const client = clientAt(url, from);
  expect((await client.post('/auth/register', { email, password: 'a password for limits', name: 'Limited' })).status).toBe(201);
  const login = await client.post<{ token: string }>('/auth/login', { email, password: 'a password for limits' });
  expect(login.status).toBe(200);
  return login.body.token;
};

describe('rate limits on the monolith', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_DEFAULT: '12/60', RATE_LIMIT_AUTH: '6/60', RATE_LIMIT_ORDERS: '3/60', RATE_LIMIT_REGISTER: '2/3600' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves one address its quota with the RateLimit fields, then 429 with Retry-After; another address is served', async () => {
    const client = clientAt(app.url, '127.0.0.11');
    for (let request = 1; request <= 12; request++) {
      const reply = await client.get('/categories');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('ratelimit-policy')).toBe('"default";q=12;w=60');
      expect(reply.headers.get('ratelimit')).toMatch(new RegExp(`^"default";r=${12 - request};t=\\d+$`));
    }
    for (let request = 0; request < 3; request++) expectRefused(await client.get<Problem>('/categories'), 'default');
    // Unknown routes count too: a scanner is a client like any other.
    expectRefused(await client.get<Problem>('/no-such-route'), 'default');

    expect((await clientAt(app.url, '127.0.0.12').get('/categories')).status).toBe(200);
  });

  it('never limits the probes', async () => {
    const client = clientAt(app.url, '127.0.0.13');
    for (let request = 0; request < 13; request++) await client.get('/categories');
    expectRefused(await client.get<Problem>('/categories'), 'default');
    for (const probe of ['/healthz', '/readyz']) {
      const reply = await requestFrom('127.0.0.13', `${app.url}${probe}`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('ratelimit')).toBeNull();
    }
  });

  it('counts a signed-in user across addresses, and only the user', async () => {
    const token = await signUp(app.url, '127.0.0.21', 'roaming@example.com');
    const addresses = ['127.0.0.22', '127.0.0.23', '127.0.0.24'];
    for (let request = 0; request < 12; request++) {
      const reply = await clientAt(app.url, addresses[request % 3]!, token).get('/me');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('ratelimit-policy')).toBe('"user";q=12;w=60, "default";q=12;w=60');
    }
    expectRefused(await clientAt(app.url, '127.0.0.25', token).get<Problem>('/me'), 'user');
    // The address itself has its whole quota left, signed out.
    expect((await clientAt(app.url, '127.0.0.25').get('/categories')).status).toBe(200);
  });

  it('limits POST /orders per user, before the order is even read', async () => {
    const token = await signUp(app.url, '127.0.0.31', 'hasty@example.com');
    const user = clientAt(app.url, '127.0.0.31', token);
    for (let request = 0; request < 3; request++) {
      const reply = await user.post('/orders', {});
      expect(reply.status).toBe(400);
      expect(reply.headers.get('ratelimit-policy')).toContain('"orders";q=3;w=60');
    }
    expectRefused(await clientAt(app.url, '127.0.0.32', token).post<Problem>('/orders', {}), 'orders');
    // Reading orders is not placing one.
    expect((await user.get('/orders')).status).toBe(200);
  });

  it('limits /auth/* per address', async () => {
    const client = clientAt(app.url, '127.0.0.41');
    for (let request = 0; request < 6; request++) expect((await client.post('/auth/login', {})).status).toBe(400);
    expectRefused(await client.post<Problem>('/auth/login', {}), 'auth');
    expect((await client.get('/categories')).status).toBe(200);
    expect((await clientAt(app.url, '127.0.0.42').post('/auth/login', {})).status).toBe(400);
  });

  it('limits accounts created per address, counting only those created', async () => {
    const client = clientAt(app.url, '127.0.0.51');
    const register = (email: string) => client.post<Problem>('/auth/register', { email, password: 'a password for limits', name: 'Many' });
    expect((await register('first@example.com')).status).toBe(201);
    const taken = await register('first@example.com');
    expect(taken.status).toBe(409);
    expect(taken.headers.get('ratelimit')).toContain('"register";r=1;');
    expect((await register('second@example.com')).status).toBe(201);
    expectRefused(await register('third@example.com'), 'register');
    expect((await clientAt(app.url, '127.0.0.52').post('/auth/register', { email: 'third@example.com', password: 'a password for limits', name: 'Many' })).status).toBe(201);
  });

  it('does not believe X-Forwarded-For without trusted proxies', async () => {
    const client = clientAt(app.url, '127.0.0.61');
    for (let request = 0; request < 12; request++) expect((await client.get('/categories', { 'x-forwarded-for': `203.0.113.${request}` })).status).toBe(200);
    expectRefused(await client.get<Problem>('/categories', { 'x-forwarded-for': '203.0.113.99' }), 'default');
  });
});

describe('rate limits behind one trusted proxy (SEAM_TRUST_PROXY_HOPS=1)', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startTestApp({ SEAM_TRUST_PROXY_HOPS: '1', RATE_LIMIT_DEFAULT: '3/60' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('counts each client by the address the proxy appended, whatever the client wrote before it', async () => {
    // Every request comes from the proxy's socket, 127.0.0.1.
    const proxy = clientAt(app.url, '127.0.0.1');
    for (let request = 0; request < 3; request++) expect((await proxy.get('/categories', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expectRefused(await proxy.get<Problem>('/categories', { 'x-forwarded-for': '203.0.113.7' }), 'default');
    expectRefused(await proxy.get<Problem>('/categories', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' }), 'default');
    expect((await proxy.get('/categories', { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
  });
});

describe('RATE_LIMIT=off', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT: 'off', RATE_LIMIT_DEFAULT: '1/60' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('counts nothing and labels nothing', async () => {
    const client = clientAt(app.url, '127.0.0.71');
    for (let request = 0; request < 5; request++) {
      const reply = await client.get('/categories');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('ratelimit')).toBeNull();
    }
  });
});
