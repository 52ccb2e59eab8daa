/**
 * The split topology losing processes while customers use it: a catalog replica dies and
 * browsing goes on through the other; inventory stops and browsing goes on (stock unknown),
 * ordering answers 503 or 202 PENDING, and every accepted order finishes once inventory is
 * back. Real processes, PostgreSQL and Redis; the instances are stopped for real.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSplit } from '../../scripts/split/run-split.js';
import { startTestSplit } from '../support/shop-deployments.js';
import { orderBody, ShopClient } from '../support/shop-client.js';

const adminPassword = 'outage-admin-password';

interface Product {
  id: string;
  available: number | null;
}

/** Polls `probe` until it returns a value. */
const eventually = async <T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
};

describe('the split topology under outages', () => {
  let split: RunningSplit;
  let anonymous: ShopClient;
  let admin: ShopClient;
  let customer: ShopClient;
  const notificationLines: string[] = [];

  beforeAll(async () => {
    // A short checkout deadline, so an order waiting on inventory answers 202 quickly. Info
    // logs, for the notification lines the tracing test looks for.
    split = await startTestSplit(
      { ADMIN_PASSWORD: adminPassword, CHECKOUT_DEADLINE_MS: '1500', CHECKOUT_RESUME_INTERVAL_MS: '250', LOG_LEVEL: 'info' },
      (line) => {
        if (line.includes('notification sent')) notificationLines.push(line);
      },
    );
    anonymous = new ShopClient(split.gatewayUrl);
    admin = await anonymous.signIn('admin@seam.local', adminPassword);
    customer = await anonymous.signIn(`outage-${randomUUID()}@example.com`);
  });
  afterAll(async () => {
    await split?.stop();
  });

  /** Browses `times` pages spread over a few seconds; returns every status seen. */
  const browse = async (times: number): Promise<number[]> => {
    const statuses: number[] = [];
    for (let index = 0; index < times; index += 1) {
      statuses.push((await anonymous.get(`/products?limit=5`)).status);
      await sleep(50);
    }
    return statuses;
  };

  it('follows one trace from the gateway through the orders service, its outbox and a BullMQ queue to the notification', async () => {
    const traceId = randomUUID().replaceAll('-', '');
    const products = await anonymous.get<{ items: Product[] }>('/products?limit=1');
    const placed = await customer.post<{ status: string }>('/orders', orderBody([{ productId: products.body.items[0]!.id, quantity: 1 }]), {
      'idempotency-key': randomUUID(),
      traceparent: `00-${traceId}-${'1'.repeat(16)}-01`,
    });
    // CONFIRMED, or PENDING past this split's short checkout deadline: then the saga finishes
    // in the background, still in the request's trace.
    expect(['CONFIRMED', 'PENDING']).toContain(placed.body.status);
    // The notifications service logs the OrderConfirmed notification in the order request's trace.
    const line = await eventually(async () => notificationLines.find((candidate) => candidate.includes(traceId)), 20_000);
    expect(line.startsWith('[notifications#0]')).toBe(true);
    expect(JSON.parse(line.slice(line.indexOf('{')))).toMatchObject({ traceId, kind: 'order_confirmed' });
  });

  it('keeps browsing when a catalog replica dies', async () => {
    expect(split.topology.services.find((service) => service.name === 'catalog')?.replicas).toBe(2);
    await split.instance('catalog', 0).stop('SIGKILL'); // a crash: it stays registered until its key expires
    const statuses = await browse(40);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const product = await anonymous.get<Product>('/products?limit=1');
    expect(product.status).toBe(200);
    await split.instance('catalog', 0).start();
  });

  it('keeps browsing without inventory, refuses or defers orders, and finishes the deferred ones once inventory is back', async () => {
    const created = await admin.post<{ id: string }>('/products', {
      sku: `OUT-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: 'Outage Kettle',
      description: 'Ordered while inventory is down',
      priceCents: 3900,
      currency: 'EUR',
      categorySlug: 'kitchen',
      weightGrams: 1200,
    });
    expect(created.status).toBe(201);
    expect((await admin.request('PUT', `/inventory/${created.body.id}`, { available: 10 })).status).toBe(200);

    await split.instance('inventory').stop();

    // Browsing: every page answers, stock unknown rather than made up.
    const statuses = await browse(10);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const page = await anonymous.get<{ items: Product[] }>('/products?limit=5');
    expect(page.body.items.every((product) => product.available === null)).toBe(true);

    // Ordering: a clear 503, or 202 PENDING for an order the shop has accepted and will finish.
    const accepted: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const reply = await customer.post<{ id: string; status: string; code?: string }>('/orders', orderBody([{ productId: created.body.id, quantity: 1 }]), {
        'idempotency-key': randomUUID(),
      });
      expect([202, 503], JSON.stringify(reply.body)).toContain(reply.status);
      if (reply.status === 202) {
        expect(reply.body.status).toBe('PENDING');
        accepted.push(reply.body.id);
      } else {
        expect(reply.headers.get('content-type')).toContain('application/problem+json');
        expect(reply.body.code).toBe('SERVICE_UNAVAILABLE');
      }
    }
    expect(accepted.length).toBeGreaterThan(0);

    await split.instance('inventory').start();

    const finished = await eventually(async () => {
      const orders = await Promise.all(accepted.map((id) => customer.get<{ status: string }>(`/orders/${id}`)));
      const statuses = orders.map((order) => order.body.status);
      return statuses.every((status) => status === 'CONFIRMED') ? statuses : undefined;
    }, 45_000);
    expect(finished).toHaveLength(accepted.length);
    const product = await anonymous.get<Product>(`/products/${created.body.id}`);
    expect(product.body.available).toBe(10 - accepted.length);
  });
});
