/**
 * Bad input at the catalog's and the admin's routes, on embedded PGlite: products and
 * categories, stock, shipping rates and advancing a shipment. Each refusal is a 4xx
 * `application/problem+json` with a stable `code` and `errors` naming the field, never a 5xx,
 * and the refused requests create or change nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { badInputApp, VALIDATION } from './bad-input-app.js';
import { base64url, fieldCases, long, loneSurrogate, missing, nul, withField } from './bad-input-values.js';

describe('bad input at every public route, on embedded PGlite', () => {
  const { ids, send, expectProblem, newProduct } = badInputApp({ nothingChangedAfterAll: true });

  describe.concurrent('catalog: GET /products, GET /products/:id, POST /products, PATCH /products/:id, GET /categories', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1e2', 'limit'],
      ['limit=99999999999', 'limit'],
      ['limit=%00', 'limit'],
      ['category=Not_A_Slug', 'category'],
      [`category=${long(65, 'a')}`, 'category'],
      ['category=%00', 'category'],
      [`q=${long(201)}`, 'q'],
      ['q=a%00b', 'q'],
      [`cursor=${long(513)}`, 'cursor'],
    ])('GET /products?%s is 400 naming %s', async (query, field) => {
      expectProblem(await send('GET', `/products?${query}`), 400, VALIDATION, field);
    });

    it.each([
      ['garbage', 'garbage!'],
      ['of the wrong shape', base64url({ name: 'Lamp' })],
      ['with an id that is not a uuid', base64url(['Lamp', "1' OR '1'='1"])],
      ['with a name holding U+0000', base64url([nul, randomUUID()])],
    ])('GET /products with a cursor %s is 400 INVALID_CURSOR', async (_, cursor) => {
      expectProblem(await send('GET', `/products?cursor=${cursor}`), 400, 'INVALID_CURSOR', 'cursor');
    });

    it.each([
      ['an unknown uuid', '{uuid}', 404, 'PRODUCT_NOT_FOUND', undefined],
      ['an id that is not a uuid', 'not-a-uuid', 404, 'PRODUCT_NOT_FOUND', undefined],
      ['SQL', "1'%20OR%20'1'='1", 404, 'PRODUCT_NOT_FOUND', undefined],
      ['U+0000', '%00', 404, 'PRODUCT_NOT_FOUND', undefined],
      ['a broken percent-encoding', '%E0%A4%A', 404, 'PRODUCT_NOT_FOUND', undefined],
      ['an id over 100 characters', '{long}', 400, VALIDATION, 'id'],
    ] as const)('GET /products/:id with %s (%s) is %i %s', async (_, id, status, code, field) => {
      expectProblem(await send('GET', `/products/${id}`), status, code, field);
    });

    it.each(
      fieldCases([
        ['sku', missing],
        ['sku', 'lower-case'],
        ['sku', 12345],
        ['sku', long(41, 'A')],
        ['sku', null],
        ['name', missing],
        ['name', ''],
        ['name', long(201)],
        ['name', 42],
        ['name', nul],
        ['name', loneSurrogate],
        ['description', long(2001)],
        ['description', ['text']],
        ['priceCents', missing],
        ['priceCents', -1],
        ['priceCents', 10.5],
        ['priceCents', '1000'],
        ['priceCents', null],
        ['priceCents', 1e12],
        ['priceCents', 9_007_199_254_740_993],
        ['currency', 'eur'],
        ['currency', 'EURO'],
        ['currency', 978],
        ['categorySlug', 'Not A Slug'],
        ['categorySlug', { slug: 'home' }],
        ['weightGrams', 0],
        ['weightGrams', -500],
        ['weightGrams', 0.5],
        ['weightGrams', 1_000_001],
        ['weightGrams', true],
      ]),
    )('POST /products with %s', async (_, { path, value, field }) => {
      expectProblem(await send('POST', '/products', { as: 'admin', json: withField(newProduct(), path, value) }), 400, VALIDATION, field);
    });

    it.each([
      ['an unknown category', 422, 'CATEGORY_NOT_FOUND', 'categorySlug', () => ({ categorySlug: 'no-such-category' })],
      ['a taken SKU', 409, 'SKU_TAKEN', 'sku', () => ({ sku: ids['otherSku'] })],
    ] as const)('POST /products with %s is %i %s', async (_, status, code, field, changes) => {
      expectProblem(await send('POST', '/products', { as: 'admin', json: { ...newProduct(), ...changes() } }), status, code, field);
    });

    it.each(
      fieldCases([
        ['sku', 'lower-case'],
        ['name', ''],
        ['name', long(201)],
        ['name', null],
        ['name', `Lamp ${nul}`],
        ['description', 7],
        ['priceCents', -1],
        ['priceCents', 0.1],
        ['priceCents', '2600'],
        ['priceCents', 1e20],
        ['currency', 'usd'],
        ['categorySlug', ''],
        ['weightGrams', 0],
        ['weightGrams', []],
      ]),
    )('PATCH /products/:id with %s', async (_, { path, value, field }) => {
      expectProblem(await send('PATCH', '/products/{product}', { as: 'admin', json: withField({}, path, value) }), 400, VALIDATION, field);
    });

    it.each([
      ['an unknown uuid', '{uuid}', 404, 'PRODUCT_NOT_FOUND', undefined, () => ({ priceCents: 1 })],
      ['an id that is not a uuid', 'not-a-uuid', 404, 'PRODUCT_NOT_FOUND', undefined, () => ({ priceCents: 1 })],
      ['an id over 100 characters', '{long}', 400, VALIDATION, 'id', () => ({ priceCents: 1 })],
      ['an unknown category', '{product}', 422, 'CATEGORY_NOT_FOUND', 'categorySlug', () => ({ categorySlug: 'no-such-category' })],
      ['a taken SKU', '{product}', 409, 'SKU_TAKEN', 'sku', () => ({ sku: ids['otherSku'] })],
    ] as const)('PATCH /products/:id with %s (%s) is %i %s', async (_, id, status, code, field, changes) => {
      expectProblem(await send('PATCH', `/products/${id}`, { as: 'admin', json: changes() }), status, code, field);
    });

    it('GET /categories ignores query junk and still answers', async () => {
      const reply = await send('GET', '/categories?limit=abc&q=%00');
      expect(reply.status, reply.text).toBe(200);
    });
  });

  describe.concurrent('PUT /inventory/:productId', () => {
    it.each(
      fieldCases([
        ['available', missing],
        ['available', -1],
        ['available', 1.5],
        ['available', '5'],
        ['available', null],
        ['available', true],
        ['available', [5]],
        ['available', { value: 5 }],
        ['available', 10_000_001],
        ['available', 1e20],
      ]),
    )('with %s', async (_, { path, value, field }) => {
      expectProblem(await send('PUT', '/inventory/{product}', { as: 'admin', json: withField({ available: 3 }, path, value) }), 400, VALIDATION, field);
    });

    it.each([
      ['an unknown uuid', '{uuid}', 404, 'PRODUCT_NOT_FOUND', undefined],
      ['an id that is not a uuid', 'not-a-uuid', 404, 'PRODUCT_NOT_FOUND', undefined],
      ['an id over 100 characters', '{long}', 400, VALIDATION, 'id'],
    ] as const)('for %s (%s) is %i %s', async (_, id, status, code, field) => {
      expectProblem(await send('PUT', `/inventory/${id}`, { as: 'admin', json: { available: 3 } }), status, code, field);
    });
  });

  describe.concurrent('GET /shipping/rates and POST /shipments/:id/advance', () => {
    it.each([
      ['', 400, VALIDATION, 'country'],
      ['weightGrams=1000', 400, VALIDATION, 'country'],
      ['country=DE', 400, VALIDATION, 'weightGrams'],
      ['country=DEU&weightGrams=1000', 400, VALIDATION, 'country'],
      ['country=12&weightGrams=1000', 400, VALIDATION, 'country'],
      ['country=D%00&weightGrams=1000', 400, VALIDATION, 'country'],
      ['country=DE&weightGrams=0', 400, VALIDATION, 'weightGrams'],
      ['country=DE&weightGrams=-1', 400, VALIDATION, 'weightGrams'],
      ['country=DE&weightGrams=1.5', 400, VALIDATION, 'weightGrams'],
      ['country=DE&weightGrams=heavy', 400, VALIDATION, 'weightGrams'],
      ['country=DE&weightGrams=1e3', 400, VALIDATION, 'weightGrams'],
      ['country=DE&weightGrams=99999999999', 400, VALIDATION, 'weightGrams'],
      ['country=ZZ&weightGrams=1000', 422, 'UNSUPPORTED_COUNTRY', 'country'],
      ['country=DE&weightGrams=999999999', 422, 'PARCEL_TOO_HEAVY', 'weightGrams'],
    ] as const)('GET /shipping/rates?%s is %i %s', async (query, status, code, field) => {
      expectProblem(await send('GET', `/shipping/rates?${query}`), status, code, field);
    });

    it.each([
      ['an unknown uuid', '{uuid}', 404, 'SHIPMENT_NOT_FOUND', undefined],
      ['an id that is not a uuid', 'not-a-uuid', 404, 'SHIPMENT_NOT_FOUND', undefined],
      ['an id over 100 characters', '{long}', 400, VALIDATION, 'shipmentId'],
    ] as const)('POST /shipments/:id/advance for %s (%s) is %i %s', async (_, id, status, code, field) => {
      expectProblem(await send('POST', `/shipments/${id}/advance`, { as: 'admin' }), status, code, field);
    });
  });
});
