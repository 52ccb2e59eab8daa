/**
 * @module Places orders through a shop's public API with a fixed number in flight, bounded in
 * count and time, over one keep-alive undici pool (fetch costs too much client CPU on Node 20).
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { percentile } from '../stats.js';

export interface ShopSession {
  readonly productId: string;
  readonly token: string;
}

export interface LoadResult {
  readonly confirmed: number;
  readonly pending: number;
  readonly failed: number;
  readonly failures: readonly string[];
  readonly elapsedMs: number;
  readonly ordersPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const card = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };
const address = { name: 'Bench Customer', line1: '1 Loop Road', city: 'Berlin', postalCode: '10115', country: 'DE' };

/** JSON request on `pool`; returns status and parsed body. */
export const call = async (pool: Pool, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await pool.request({
    method,
    path: `/api/v1${path}`,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};

/** Places up to `orders` orders, `inFlight` at a time, stopping at `budgetMs`. */
export const placeOrders = async (pool: Pool, session: ShopSession, options: { orders: number; inFlight: number; budgetMs: number }): Promise<LoadResult> => {
  const latencies: number[] = [];
  const failures: string[] = [];
  let confirmed = 0;
  let pending = 0;
  let failed = 0;
  let started = 0;
  const deadline = Date.now() + options.budgetMs;
  const body = { items: [{ productId: session.productId, quantity: 1 }], shippingAddress: address, payment: card };
  const headers = { authorization: `Bearer ${session.token}` };
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (started < options.orders && Date.now() < deadline) {
      started += 1;
      const begun = performance.now();
      try {
        const reply = await call(pool, 'POST', '/orders', body, { ...headers, 'idempotency-key': randomUUID() });
        if (reply.status === 201) confirmed += 1;
        else if (reply.status === 202) pending += 1;
        else throw new Error(`${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
        latencies.push(performance.now() - begun);
      } catch (error) {
        failed += 1;
        if (failures.length < 5) failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  const elapsedMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return {
    confirmed,
    pending,
    failed,
    failures,
    elapsedMs,
    ordersPerSecond: ((confirmed + pending) * 1000) / elapsedMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
};

/** An admin-made product with plenty of stock and a signed-in customer, through the public API. */
export const prepareSession = async (pool: Pool, adminPassword: string): Promise<ShopSession> => {
  const admin = await call(pool, 'POST', '/auth/login', { email: 'admin@seam.local', password: adminPassword });
  if (admin.status !== 200) throw new Error(`admin login: ${admin.status} ${JSON.stringify(admin.body)}`);
  const adminHeaders = { authorization: `Bearer ${String(admin.body['token'])}` };
  const product = await call(
    pool,
    'POST',
    '/products',
    { sku: `BENCH-${randomUUID().slice(0, 8).toUpperCase()}`, name: 'Bench Mug', description: 'For load', priceCents: 1200, currency: 'EUR', categorySlug: 'kitchen', weightGrams: 400 },
    adminHeaders,
  );
  if (product.status !== 201) throw new Error(`create product: ${product.status} ${JSON.stringify(product.body)}`);
  const productId = String(product.body['id']);
  const stocked = await call(pool, 'PUT', `/inventory/${productId}`, { available: 1_000_000 }, adminHeaders);
  if (stocked.status !== 200) throw new Error(`stock: ${stocked.status} ${JSON.stringify(stocked.body)}`);
  const email = `bench-${randomUUID()}@example.com`;
  await call(pool, 'POST', '/auth/register', { email, password: 'bench-password', name: 'Bench' });
  const login = await call(pool, 'POST', '/auth/login', { email, password: 'bench-password' });
  if (login.status !== 200) throw new Error(`customer login: ${login.status}`);
  return { productId, token: String(login.body['token']) };
};
