/**
 * The public catalog API, end to end over HTTP, on embedded PGlite and on a real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import type { Product } from '../../src/modules/catalog/contract.js';
import { seedProducts } from '../../src/modules/catalog/seed-data.js';
import { databaseBackends } from '../support/database-backends.js';
import { getJson, startTestApp } from '../support/test-app.js';

interface Page {
  items: Product[];
  nextCursor: string | null;
}
interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  requestId: string;
  errors?: { field: string; message: string }[];
}

describe.each(databaseBackends)('catalog API on $name', (backend) => {
  let app: RunningApp;
  let release: () => Promise<void>;

  beforeAll(async () => {
    const prepared = await backend.prepare();
    release = prepared.release;
    app = await startTestApp(prepared.env);
  });
  afterAll(async () => {
    await app?.stop();
    await release?.();
  });

  it('seeds an empty database with at least 100 products in several categories', async () => {
    const categories = await getJson<{ items: { slug: string; name: string }[] }>(app, '/api/v1/categories');
    expect(categories.status).toBe(200);
    expect(categories.body.items.length).toBeGreaterThanOrEqual(5);
    expect(categories.body.items.map((category) => category.name)).toEqual([...categories.body.items.map((category) => category.name)].sort());
    expect(seedProducts.length).toBeGreaterThanOrEqual(100);
  });

  it('walks every product exactly once, in name order, page by page', async () => {
    const seen: Product[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=7&cursor=${encodeURIComponent(cursor)}` : '?limit=7';
      const page = await getJson<Page>(app, `/api/v1/products${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    expect(seen).toHaveLength(seedProducts.length);
    expect(new Set(seen.map((product) => product.id)).size).toBe(seedProducts.length);
    const keys = seen.map((product) => [product.name, product.id].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
    expect(pages).toBe(Math.ceil(seedProducts.length / 7));
  });

  it('returns 20 products by default and a cursor to the next page', async () => {
    const page = await getJson<Page>(app, '/api/v1/products');
    expect(page.body.items).toHaveLength(20);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it('filters by category', async () => {
    const page = await getJson<Page>(app, '/api/v1/products?category=audio&limit=100');
    expect(page.body.items.length).toBe(15);
    expect(page.body.items.every((product) => product.category.slug === 'audio')).toBe(true);
    expect(page.body.nextCursor).toBeNull();
  });

  it('finds text in names and descriptions, case-insensitively, treating % and _ literally', async () => {
    const byName = await getJson<Page>(app, '/api/v1/products?q=KETTLEBELL&limit=100');
    expect(byName.body.items.map((product) => product.name).sort()).toEqual(['Classic Kettlebell', 'Compact Kettlebell', 'Premium Kettlebell']);
    const byDescription = await getJson<Page>(app, `/api/v1/products?q=${encodeURIComponent('best materials')}&category=travel&limit=100`);
    expect(byDescription.body.items).toHaveLength(5);
    const wildcard = await getJson<Page>(app, `/api/v1/products?q=${encodeURIComponent('%')}`);
    expect(wildcard.body.items).toEqual([]);
  });

  it('matches nothing for an unknown category', async () => {
    const page = await getJson<Page>(app, '/api/v1/products?category=no-such-category');
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ items: [], nextCursor: null });
  });

  it('gets one product by id', async () => {
    const expected = seedProducts[0]!;
    const product = await getJson<Product>(app, `/api/v1/products/${expected.id}`);
    expect(product.status).toBe(200);
    expect(product.body).toMatchObject({ id: expected.id, sku: expected.sku, name: expected.name, priceCents: expected.priceCents, currency: 'EUR' });
    expect(new Date(product.body.createdAt).toISOString()).toBe(product.body.createdAt);
  });

  it.each([
    ['limit=-5', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=1.5', 'limit'],
    ['category=Not%20A%20Slug', 'category'],
    [`q=${'x'.repeat(201)}`, 'q'],
  ])('answers %s with a 400 problem naming %s', async (query, field) => {
    const response = await getJson<ProblemBody>(app, `/api/v1/products?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, type: 'urn:seam:problem:validation-failed' });
    expect(response.body.errors?.map((issue) => issue.field)).toEqual([field]);
    expect(response.body.detail).toContain(`${field}:`);
  });

  it.each(['garbage', 'eyJhIjoxfQ', Buffer.from('["x","not-a-uuid"]').toString('base64url')])(
    'answers the unknown cursor %s with a 400 problem naming cursor',
    async (cursor) => {
      const response = await getJson<ProblemBody>(app, `/api/v1/products?cursor=${cursor}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ field: 'cursor' }] });
    },
  );

  it.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])('answers the unknown product id %s with a 404 problem', async (id) => {
    const response = await getJson<ProblemBody>(app, `/api/v1/products/${id}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'PRODUCT_NOT_FOUND', title: 'Product not found', instance: `/api/v1/products/${id}` });
  });
});
