/**
 * Bad input at the customer's routes, on embedded PGlite: registering and signing in, placing,
 * reading and cancelling orders, and notifications. Each refusal is a 4xx
 * `application/problem+json` with a stable `code` and `errors` naming the field, never a 5xx;
 * and at the end the refused requests have created and changed nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { orderBody } from '../support/shop-client.js';
import { adminPassword, badInputApp, VALIDATION } from './bad-input-app.js';
import { fieldCases, long, loneSurrogate, missing, nul, withField } from './bad-input-values.js';

describe('bad input at every public route, on embedded PGlite', () => {
  const { ids, send, expectProblem, registration, order, orderCall, expectNothingChanged } = badInputApp();

  describe.concurrent('POST /auth/register and /auth/login', () => {
    it.each(
      fieldCases([
        ['email', missing],
        ['email', 42],
        ['email', ['a@example.com']],
        ['email', null],
        ['email', {}],
        ['email', 'not-an-email'],
        ['email', `${long(250)}@example.com`],
        ['email', `a${nul}@example.com`],
        ['password', missing],
        ['password', 'seven77'],
        ['password', long(129)],
        ['password', 12345678],
        ['password', null],
        ['password', `long enough ${nul}`],
        ['name', missing],
        ['name', ''],
        ['name', '   '],
        ['name', long(101)],
        ['name', 42],
        ['name', ['Ada']],
        ['name', `Ada${nul}`],
        ['name', loneSurrogate],
        ['name', '\udc00'],
      ]),
    )('register with %s', async (_, { path, value, field }) => {
      expectProblem(await send('POST', '/auth/register', { json: withField(registration(), path, value) }), 400, VALIDATION, field);
    });

    it('register keeps a name with a surrogate pair (an emoji) exactly as sent', async () => {
      const name = 'Zoë \ud83d\ude00 Ng';
      const email = `emoji-${randomUUID()}@example.com`;
      const reply = await send('POST', '/auth/register', { json: { email, password: 'a long enough password', name } });
      expect(reply.status, reply.text).toBe(201);
      expect((reply.body as unknown as { name: string }).name).toBe(name);
    });

    it('register with a taken email is 409 EMAIL_TAKEN', async () => {
      expectProblem(await send('POST', '/auth/register', { json: { ...registration(), email: 'admin@seam.local' } }), 409, 'EMAIL_TAKEN');
    });

    it.each(
      fieldCases([
        ['email', missing],
        ['email', 42],
        ['email', 'nope'],
        ['password', missing],
        ['password', ''],
        ['password', long(129)],
        ['password', false],
      ]),
    )('login with %s', async (_, { path, value, field }) => {
      expectProblem(await send('POST', '/auth/login', { json: withField({ email: 'admin@seam.local', password: adminPassword }, path, value) }), 400, VALIDATION, field);
    });

    it.each([
      ['an unknown email', { email: `nobody-${randomUUID()}@example.com`, password: 'whatever it is' }],
      ['a wrong password', { email: 'admin@seam.local', password: 'not the admin password' }],
    ])('login with %s is 401 INVALID_CREDENTIALS', async (_, json) => {
      expectProblem(await send('POST', '/auth/login', { json }), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe.concurrent('orders: POST /orders, GET /orders, GET /orders/:id, POST /orders/:id/cancel', () => {
    it.each([
      ['no Idempotency-Key', undefined],
      ['a blank Idempotency-Key', '   '],
      ['an Idempotency-Key over 200 characters', long(201)],
    ])('POST /orders with %s is 400 naming Idempotency-Key', async (_, key) => {
      const reply = await send('POST', '/orders', { as: 'customer', json: order(), headers: key === undefined ? {} : { 'idempotency-key': key } });
      expectProblem(reply, 400, VALIDATION, 'Idempotency-Key');
    });

    it.each(
      fieldCases([
        ['items', missing],
        ['items', []],
        ['items', 'lamp'],
        ['items', {}],
        ['items', null],
        ['items.0.quantity', 0],
        ['items.0.quantity', -1],
        ['items.0.quantity', 1.5],
        ['items.0.quantity', '1'],
        ['items.0.quantity', null],
        ['items.0.quantity', 101],
        ['items.0.quantity', 1e9],
        ['items.0.quantity', missing],
        ['items.0.productId', missing],
        ['items.0.productId', 42],
        ['items.0.productId', ''],
        ['items.0.productId', long(101)],
        ['items.0.productId', nul],
        ['shippingAddress', missing],
        ['shippingAddress', 'Berlin'],
        ['shippingAddress.name', ''],
        ['shippingAddress.name', `Ada ${nul}`],
        ['shippingAddress.city', loneSurrogate],
        ['shippingAddress.line1', '\ud83d'],
        ['shippingAddress.line1', null],
        ['shippingAddress.city', long(101)],
        ['shippingAddress.postalCode', long(21, '1')],
        ['shippingAddress.country', 'DEU'],
        ['shippingAddress.country', 49],
        ['shippingAddress.country', missing],
        ['payment', missing],
        ['payment', '4242424242424242'],
        ['payment.cardNumber', '4242 abcd 4242 4242'],
        ['payment.cardNumber', 4242424242424242],
        ['payment.cardNumber', '4242'],
        ['payment.cardNumber', long(20, '4')],
        ['payment.expMonth', 13],
        ['payment.expMonth', 0],
        ['payment.expMonth', '12'],
        ['payment.expMonth', 12.5],
        ['payment.expYear', 1999],
        ['payment.expYear', 2101],
        ['payment.cvc', '12'],
        ['payment.cvc', 123],
        ['payment.cvc', '12a'],
      ]),
    )('POST /orders with %s', async (_, { path, value, field }) => {
      expectProblem(await send('POST', '/orders', orderCall(withField(order(), path, value))), 400, VALIDATION, field);
    });

    it('POST /orders with more than 50 lines is 400 naming items', async () => {
      const lines = Array.from({ length: 51 }, () => ({ productId: ids['product']!, quantity: 1 }));
      expectProblem(await send('POST', '/orders', orderCall(orderBody(lines))), 400, VALIDATION, 'items');
    });

    it.each([
      ['an unknown product (uuid)', 'UNKNOWN_PRODUCT', 'items.productId', () => [{ productId: randomUUID(), quantity: 1 }]],
      ['an unknown product (not a uuid)', 'UNKNOWN_PRODUCT', 'items.productId', () => [{ productId: 'lamp', quantity: 1 }]],
      ['a known and an unknown product', 'UNKNOWN_PRODUCT', 'items.productId', () => [{ productId: ids['product']!, quantity: 1 }, { productId: randomUUID(), quantity: 1 }]],
      ['products priced in two currencies', 'MIXED_CURRENCIES', 'items', () => [{ productId: ids['product']!, quantity: 1 }, { productId: ids['dollar']!, quantity: 1 }]],
      ['items worth more than one order may be', 'ORDER_TOO_LARGE', 'items', () => [{ productId: ids['expensive']!, quantity: 100 }]],
      ['a huge total over many lines', 'ORDER_TOO_LARGE', 'items', () => Array.from({ length: 50 }, () => ({ productId: ids['expensive']!, quantity: 100 }))],
      ['a parcel too heavy to ship', 'PARCEL_TOO_HEAVY', 'weightGrams', () => Array.from({ length: 50 }, () => ({ productId: ids['product']!, quantity: 100 }))],
    ] as const)('POST /orders with %s is 422 %s', async (_, code, field, lines) => {
      expectProblem(await send('POST', '/orders', orderCall(orderBody([...lines()]))), 422, code, field);
    });

    it('POST /orders to a country we do not ship to is 422 UNSUPPORTED_COUNTRY', async () => {
      expectProblem(await send('POST', '/orders', orderCall(withField(order(), 'shippingAddress.country', 'ZZ'))), 422, 'UNSUPPORTED_COUNTRY', 'country');
    });

    it.each(['limit=0', 'limit=101', 'limit=-1', 'limit=1.5', 'limit=all', 'limit=%00'])('GET /orders?%s is 400 naming limit', async (query) => {
      expectProblem(await send('GET', `/orders?${query}`, { as: 'customer' }), 400, VALIDATION, 'limit');
    });

    it.each([
      ['GET', '/orders/{uuid}', 404, 'ORDER_NOT_FOUND', undefined],
      ['GET', '/orders/not-a-uuid', 404, 'ORDER_NOT_FOUND', undefined],
      ['GET', '/orders/%00', 404, 'ORDER_NOT_FOUND', undefined],
      ['GET', '/orders/{long}', 400, VALIDATION, 'orderId'],
      ['POST', '/orders/{uuid}/cancel', 404, 'ORDER_NOT_FOUND', undefined],
      ['POST', '/orders/not-a-uuid/cancel', 404, 'ORDER_NOT_FOUND', undefined],
      ['POST', '/orders/{long}/cancel', 400, VALIDATION, 'orderId'],
    ] as const)('%s %s is %i %s', async (method, path, status, code, field) => {
      expectProblem(await send(method, path, { as: 'customer' }), status, code, field);
    });
  });

  describe.concurrent('GET /notifications', () => {
    it.each(['limit=0', 'limit=101', 'limit=-5', 'limit=2.5', 'limit=1e2', 'limit=ten'])('GET /notifications?%s is 400 naming limit', async (query) => {
      expectProblem(await send('GET', `/notifications?${query}`, { as: 'customer' }), 400, VALIDATION, 'limit');
    });
  });

  it('created and changed nothing: same products, same stock, no orders, no notifications, no account', () => expectNothingChanged());
});
