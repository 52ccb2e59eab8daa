/**
 * @module The shop the bad-input tests send to, on embedded PGlite: started for a suite with a
 * customer and an admin signed in and the products the tables refer to; a client that sends
 * as anonymous, customer or admin; the check that a refusal is a 4xx problem document; and
 * the check that the refused requests created and changed nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { orderBody } from '../support/shop-client.js';
import { startTestApp } from '../support/test-app.js';
import { long } from './bad-input-values.js';

export const adminPassword = 'bad-input-admin-password';
export const jwtSecret = 'bad-input-test-secret-of-at-least-32-chars';
export const bodyLimitBytes = 65_536;

export const VALIDATION = 'VALIDATION_FAILED';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId: string;
  errors?: { field: string; message: string }[];
}
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Problem | undefined;
}
interface Product {
  id: string;
  sku: string;
  available: number;
}

export type As = 'anonymous' | 'customer' | 'admin';
export interface Call {
  readonly as?: As;
  readonly json?: unknown;
  readonly body?: NonNullable<RequestInit['body']>;
  readonly headers?: Record<string, string>;
}

export interface BadInputApp {
  /** The app's base URL, inside tests. */
  readonly url: string;
  /** The bearer token each caller sends, filled in beforeAll (none for anonymous). */
  readonly tokens: Record<As, string | undefined>;
  /** Ids the tables refer to as `{name}` in paths, filled in beforeAll. */
  readonly ids: Record<string, string>;
  send(method: string, path: string, call?: Call): Promise<Reply>;
  /** A 4xx problem document with `code`, and for bad input an `errors` entry naming `field`. */
  expectProblem(reply: Reply, status: number, code: string, field?: string): void;
  // Bodies that would succeed; the tables break one thing in them.
  newProduct(): Record<string, unknown>;
  registration(): { email: string; password: string; name: string };
  order(): ReturnType<typeof orderBody>;
  orderCall(json: unknown): Call;
  /** Same products, same stock, no orders, no notifications, no account for the refused registrations. */
  expectNothingChanged(): Promise<void>;
}

/**
 * Registers the hooks that start the app before the enclosing suite's tests and stop it after
 * them; with `nothingChangedAfterAll`, after them it first checks that they changed nothing.
 */
export const badInputApp = (options: { nothingChangedAfterAll?: boolean } = {}): BadInputApp => {
  let app: RunningApp;
  const tokens: Record<As, string | undefined> = { anonymous: undefined, customer: undefined, admin: undefined };
  const ids: Record<string, string> = { uuid: randomUUID(), long: long(101, 'a') };
  const marker = randomUUID().slice(0, 8).toUpperCase();
  /** The email every refused registration uses; it must still be free at the end. */
  const refusedEmail = `refused-${randomUUID()}@example.com`;
  let before: { productIds: string[]; product: Product };

  const send = async (method: string, path: string, call: Call = {}): Promise<Reply> => {
    const token = tokens[call.as ?? 'anonymous'];
    const body = call.json === undefined ? call.body : JSON.stringify(call.json);
    const response = await fetch(`${app.url}/api/v1${path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? name)}`, {
      method,
      headers: {
        ...(call.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...call.headers,
      },
      ...(body === undefined ? {} : { body, duplex: 'half' as const }),
    });
    const text = await response.text();
    let parsed: Problem | undefined;
    try {
      parsed = JSON.parse(text) as Problem;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };

  const expectProblem = (reply: Reply, status: number, code: string, field?: string): void => {
    const seen = { status: reply.status, contentType: reply.headers.get('content-type'), code: reply.body?.code };
    expect(seen, reply.text).toEqual({ status, contentType: 'application/problem+json', code });
    expect(reply.body).toMatchObject({
      type: `urn:seam:problem:${code.toLowerCase().replace(/_/g, '-')}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\/api\//),
      requestId: reply.headers.get('x-request-id'),
    });
    if (code === VALIDATION) expect(reply.body?.errors?.length, reply.text).toBeGreaterThan(0);
    if (field !== undefined) expect(reply.body?.errors?.map((issue) => issue.field), reply.text).toContain(field);
  };

  const productIds = async (): Promise<string[]> => {
    const seen: string[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = await fetch(`${app.url}/api/v1/products?limit=100&cursor=${encodeURIComponent(cursor)}`);
      const body = (await page.json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    }
    return seen.sort();
  };
  const productNow = async (): Promise<Product> => (await (await fetch(`${app.url}/api/v1/products/${ids['product']}`)).json()) as Product;

  const newProduct = () => ({ sku: `BAD-${marker}`, name: `Bad Input ${marker}`, description: 'Never created', priceCents: 1000, currency: 'EUR', categorySlug: 'home', weightGrams: 500 });
  const registration = () => ({ email: refusedEmail, password: 'a long enough password', name: 'Refused Shopper' });

  const expectNothingChanged = async (): Promise<void> => {
    expect(await productIds()).toEqual(before.productIds);
    expect(await productNow()).toEqual(before.product);
    expect(before.product.available).toBe(5);
    const orders = await send('GET', '/orders', { as: 'customer' });
    expect({ status: orders.status, body: orders.body }).toEqual({ status: 200, body: { items: [] } });
    const notifications = await send('GET', '/notifications', { as: 'customer' });
    expect(notifications.body).toMatchObject({ items: [] });
    expectProblem(await send('POST', '/auth/login', { json: { email: refusedEmail, password: registration().password } }), 401, 'INVALID_CREDENTIALS');
    expect((await send('GET', `/products?q=${marker}`)).body).toMatchObject({ items: [] });
  };

  beforeAll(async () => {
    // One client sending every bad input there is: far more than a real client would, so the
    // request quotas are raised (their own tests are test/gateway/rate-limit.test.ts).
    app = await startTestApp({ ADMIN_PASSWORD: adminPassword, JWT_SECRET: jwtSecret, RATE_LIMIT_DEFAULT: '100000/60', RATE_LIMIT_AUTH: '100000/60' });
    const login = async (email: string, password: string): Promise<string> => {
      const reply = await send('POST', '/auth/login', { json: { email, password } });
      expect(reply.status, reply.text).toBe(200);
      return (JSON.parse(reply.text) as { token: string }).token;
    };
    const shopper = { email: `bad-input-${randomUUID()}@example.com`, password: 'correct horse battery', name: 'Bad Input Shopper' };
    expect((await send('POST', '/auth/register', { json: shopper })).status).toBe(201);
    tokens.customer = await login(shopper.email, shopper.password);
    tokens.admin = await login('admin@seam.local', adminPassword);

    const create = async (changes: Record<string, unknown>): Promise<Product> => {
      const json = { ...newProduct(), sku: `T-${randomUUID().slice(0, 8).toUpperCase()}`, name: 'Bad Input Lamp', ...changes };
      const created = await send('POST', '/products', { as: 'admin', json });
      expect(created.status, created.text).toBe(201);
      return JSON.parse(created.text) as Product;
    };
    const product = await create({ weightGrams: 800 });
    expect((await send('PUT', `/inventory/${product.id}`, { as: 'admin', json: { available: 5 } })).status).toBe(200);
    ids['product'] = product.id;
    ids['otherSku'] = (await create({})).sku;
    ids['expensive'] = (await create({ priceCents: 100_000_000, weightGrams: 1 })).id;
    ids['dollar'] = (await create({ currency: 'USD' })).id;

    before = { productIds: await productIds(), product: await productNow() };
  });
  afterAll(async () => {
    try {
      if (app && options.nothingChangedAfterAll) await expectNothingChanged();
    } finally {
      await app?.stop();
    }
  });

  return {
    get url() {
      return app.url;
    },
    tokens,
    ids,
    send,
    expectProblem,
    newProduct,
    registration,
    order: () => orderBody([{ productId: ids['product']!, quantity: 1 }]),
    orderCall: (json) => ({ as: 'customer', json, headers: { 'idempotency-key': randomUUID() } }),
    expectNothingChanged,
  };
};
