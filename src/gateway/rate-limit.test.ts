import { Hono, type Context } from 'hono';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger.js';
import { memoryStore } from './limiter-store.js';
import { rateLimit, type RateLimitOptions } from './rate-limit.js';

const byClientHeader = (c: Context): string | undefined => c.req.header('x-client');

const policy = (name: string, points: number, overrides: Partial<RateLimitOptions> = {}): RateLimitOptions => ({
  name,
  points,
  windowSeconds: 60,
  limiter: memoryStore()({ name, points, durationSeconds: 60 }),
  key: byClientHeader,
  ...overrides,
});

const appWith = (...policies: RateLimitOptions[]) => {
  const app = new Hono();
  for (const options of policies) app.use(rateLimit(options));
  app.get('/', (c) => c.json({ ok: true }));
  app.post('/things', (c) => (c.req.header('x-outcome') === 'fail' ? c.json({ error: 'no' }, 409) : c.json({ created: true }, 201)));
  return app;
};

const from = (client: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { 'x-client': client, ...(init.headers as Record<string, string>) } });

describe('rateLimit', () => {
  it('answers within the quota with the RateLimit fields, and over it 429 RATE_LIMITED with Retry-After, per key', async () => {
    const app = appWith(policy('default', 2));
    const first = await app.request('/', from('a'));
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    expect(first.headers.get('ratelimit')).toBe('"default";r=1;t=60');
    expect((await app.request('/', from('a'))).headers.get('ratelimit')).toMatch(/^"default";r=0;t=(59|60)$/);

    const refused = await app.request('/', from('a'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toBe(`"default";r=0;t=${retryAfter}`);
    expect(await refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', violatedPolicies: ['default'], retryAfterSeconds: retryAfter });

    expect((await app.request('/', from('b'))).status).toBe(200);
  });

  it('lists every policy a request falls under, and names the one it broke', async () => {
    const app = appWith(policy('wide', 10), policy('narrow', 1));
    const served = await app.request('/', from('a'));
    expect(served.headers.get('ratelimit-policy')).toBe('"narrow";q=1;w=60, "wide";q=10;w=60');
    expect(served.headers.get('ratelimit')).toBe('"narrow";r=0;t=60, "wide";r=9;t=60');
    const refused = await app.request('/', from('a'));
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ violatedPolicies: ['narrow'] });
    expect(refused.headers.get('ratelimit-policy')).toBe('"narrow";q=1;w=60, "wide";q=10;w=60');
  });

  it('neither counts nor labels a request without a key', async () => {
    const app = appWith(policy('default', 1));
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await app.request('/');
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit')).toBeNull();
    }
  });

  it('with `counts`, gives back the points of answers that do not count', async () => {
    const app = appWith(policy('created', 2, { counts: (response) => response.status === 201 }));
    const failing = from('a', { method: 'POST', headers: { 'x-outcome': 'fail' } });
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await app.request('/things', failing);
      expect(response.status).toBe(409);
      expect(response.headers.get('ratelimit')).toMatch(/^"created";r=2;/);
    }
    expect((await app.request('/things', from('a', { method: 'POST' }))).status).toBe(201);
    expect((await app.request('/things', from('a', { method: 'POST' }))).status).toBe(201);
    expect((await app.request('/things', from('a', { method: 'POST' }))).status).toBe(429);
  });

  it('lets a request through, uncounted and with a warning, when the counters fail', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
    const broken = new RateLimiterMemory({ points: 1, duration: 60 });
    broken.consume = () => Promise.reject(new Error('store down'));
    const app = appWith(policy('default', 1, { limiter: broken, logger }));
    for (let attempt = 0; attempt < 3; attempt++) expect((await app.request('/', from('a'))).status).toBe(200);
    expect(lines.filter((line) => line.includes('request let through uncounted'))).toHaveLength(3);
  });

  it('answers with the onLimited response it is given, adding the headers', async () => {
    const app = appWith(policy('default', 1, { onLimited: (c, error) => c.json({ mine: error.code }, 429) }));
    await app.request('/', from('a'));
    const refused = await app.request('/', from('a'));
    expect(await refused.json()).toEqual({ mine: 'RATE_LIMITED' });
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });
});
