/**
 * Bad input every public route refuses before its module sees it, on embedded PGlite: no, bad
 * or forged credentials and the wrong role, bodies that are not JSON objects, and unknown
 * routes and methods. Each refusal is a 4xx `application/problem+json` with a stable `code`,
 * never a 5xx, and the refused requests create or change nothing.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, badInputApp, bodyLimitBytes, jwtSecret, VALIDATION, type As } from './bad-input-app.js';
import { long } from './bad-input-values.js';

describe('bad input at every public route, on embedded PGlite', () => {
  const app = badInputApp({ nothingChangedAfterAll: true });
  const { tokens, send, expectProblem, newProduct, order } = app;

  /** Authorization headers that must all be refused, minted in beforeAll. */
  const forged: Record<string, string> = {};
  beforeAll(async () => {
    const key = new TextEncoder().encode(jwtSecret);
    const now = Math.floor(Date.now() / 1000);
    const claims = { email: 'admin@seam.local', role: 'admin' };
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(randomUUID()).setIssuer('seam').setIssuedAt(now);
    const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
    forged['signed with another secret'] = await sign(claims).setAudience('seam-api').setExpirationTime(now + 600).sign(new TextEncoder().encode(long(40, 's')));
    forged['unsigned (alg none)'] = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims, sub: randomUUID(), iss: 'seam', aud: 'seam-api', exp: now + 600 })}.`;
    forged['expired'] = await sign(claims).setAudience('seam-api').setExpirationTime(now - 60).sign(key);
    forged['for another audience'] = await sign(claims).setAudience('someone-else').setExpirationTime(now + 600).sign(key);
    forged['without a role'] = await sign({ email: 'admin@seam.local' }).setAudience('seam-api').setExpirationTime(now + 600).sign(key);
    forged['for a user that does not exist'] = await sign({ email: 'ghost@example.com', role: 'customer' }).setAudience('seam-api').setExpirationTime(now + 600).sign(key);
    const [header, , signature] = tokens.customer!.split('.');
    forged['signed with the real secret but tampered'] = `${header}.${encode({ ...claims, sub: randomUUID(), iss: 'seam', aud: 'seam-api', exp: now + 600 })}.${signature}`;
  });

  describe.concurrent('authentication and roles', () => {
    // Every protected route, with a body that would succeed, so a refusal is the only reason nothing happens.
    const protectedRoutes: readonly (readonly [method: string, path: string, body?: () => unknown])[] = [
      ['GET', '/me'],
      ['POST', '/products', newProduct],
      ['PATCH', '/products/{product}', () => ({ priceCents: 1 })],
      ['PUT', '/inventory/{product}', () => ({ available: 0 })],
      ['POST', '/shipments/{uuid}/advance'],
      ['POST', '/orders', order],
      ['GET', '/orders'],
      ['GET', '/orders/{uuid}'],
      ['POST', '/orders/{uuid}/cancel'],
      ['GET', '/notifications'],
    ];
    const badHeaders: readonly (readonly [label: string, header: () => string | undefined])[] = [
      ['no Authorization header', () => undefined],
      ['an empty Authorization header', () => ''],
      ['Basic credentials', () => `Basic ${Buffer.from(`admin@seam.local:${adminPassword}`).toString('base64')}`],
      ['"Bearer" without a token', () => 'Bearer'],
      ['a token without "Bearer"', () => tokens.admin],
      ['a garbage token', () => 'Bearer not-a-token'],
      ['a JWT-shaped garbage token', () => 'Bearer aaa.bbb.ccc'],
      ['an overlong token', () => `Bearer ${long(4000, 'a')}`],
      ...['signed with another secret', 'unsigned (alg none)', 'expired', 'for another audience', 'without a role', 'signed with the real secret but tampered'].map(
        (label) => [`a token ${label}`, () => `Bearer ${forged[label]}`] as const,
      ),
    ];

    it.each(protectedRoutes.flatMap(([method, path, body]) => badHeaders.map(([label, header]) => [`${method} ${path} with ${label}`, { method, path, body, header }] as const)))(
      '%s is 401 UNAUTHORIZED',
      async (_, { method, path, body, header }) => {
        const authorization = header();
        const headers = { 'idempotency-key': randomUUID(), ...(authorization === undefined ? {} : { authorization }) };
        expectProblem(await send(method, path, { json: body?.(), headers }), 401, 'UNAUTHORIZED');
      },
    );

    const adminOnly = ['POST /products', 'PATCH /products/{product}', 'PUT /inventory/{product}', 'POST /shipments/{uuid}/advance'];
    it.each(protectedRoutes.filter(([method, path]) => adminOnly.includes(`${method} ${path}`)).map(([method, path, body]) => [`${method} ${path}`, { method, path, body }] as const))(
      'a customer on %s is 403 FORBIDDEN',
      async (_, { method, path, body }) => {
        expectProblem(await send(method, path, { as: 'customer', json: body?.() }), 403, 'FORBIDDEN');
      },
    );

    it('a valid token for a user that does not exist is 404 USER_NOT_FOUND on /me', async () => {
      expectProblem(await send('GET', '/me', { headers: { authorization: `Bearer ${forged['for a user that does not exist']}` } }), 404, 'USER_NOT_FOUND');
    });
  });

  describe.concurrent('bodies that are not JSON objects', () => {
    const jsonRoutes: readonly (readonly [method: string, path: string, as: As])[] = [
      ['POST', '/auth/register', 'anonymous'],
      ['POST', '/auth/login', 'anonymous'],
      ['POST', '/products', 'admin'],
      ['PATCH', '/products/{product}', 'admin'],
      ['PUT', '/inventory/{product}', 'admin'],
      ['POST', '/orders', 'customer'],
    ];
    const oversized = () => JSON.stringify({ email: 'big@example.com', password: long(bodyLimitBytes) });
    const badBodies: readonly (readonly [label: string, body: () => NonNullable<RequestInit['body']>, contentType: string | undefined, status: number, code: string, field?: string])[] = [
      ['malformed JSON', () => '{"email": ', 'application/json', 400, VALIDATION, '(body)'],
      ['JSON with a trailing comma', () => '{"a": 1,}', 'application/json', 400, VALIDATION, '(body)'],
      ['single-quoted JSON', () => "{'a': 1}", 'application/json', 400, VALIDATION, '(body)'],
      ['an empty body', () => '', 'application/json', 400, VALIDATION, '(body)'],
      ['JSON null', () => 'null', 'application/json', 400, VALIDATION],
      ['a JSON array', () => '[]', 'application/json', 400, VALIDATION],
      ['a JSON string', () => '"hello"', 'application/json', 400, VALIDATION],
      ['a JSON number', () => '42', 'application/json', 400, VALIDATION],
      ['a number beyond a double (1e400)', () => '1e400', 'application/json', 400, VALIDATION],
      ['JSON sent as text/plain', () => '{}', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a form', () => 'a=1&b=2', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['XML', () => '<order/>', 'application/xml', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['no content type', () => new Blob(['{}']), undefined, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [`a body over ${bodyLimitBytes} bytes`, oversized, 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
      [
        `a chunked body over ${bodyLimitBytes} bytes`,
        () => new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode(oversized())), controller.close()) }),
        'application/json',
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ];

    it.each(
      jsonRoutes.flatMap(([method, path, as]) =>
        badBodies.map(([label, body, contentType, status, code, field]) => [`${method} ${path} with ${label} is ${status} ${code}`, { method, path, as, body, contentType, status, code, field }] as const),
      ),
    )('%s', async (_, { method, path, as, body, contentType, status, code, field }) => {
      const headers = { 'idempotency-key': randomUUID(), ...(contentType === undefined ? {} : { 'content-type': contentType }) };
      expectProblem(await send(method, path, { as, body: body(), headers }), status, code, field);
    });
  });

  describe.concurrent('unknown routes and wrong methods', () => {
    it.each([
      ['GET', '/nothing-here'],
      ['GET', '/products/{product}/reviews'],
      ['DELETE', '/products/{product}'],
      ['PUT', '/products'],
      ['POST', '/categories'],
      ['DELETE', '/categories'],
      ['GET', '/auth/register'],
      ['PUT', '/auth/login'],
      ['DELETE', '/me'],
      ['GET', '/inventory/{product}'],
      ['POST', '/shipping/rates'],
      ['GET', '/shipments/{uuid}/advance'],
      ['PUT', '/orders'],
      ['DELETE', '/orders/{uuid}'],
      ['GET', '/orders/{uuid}/cancel'],
      ['POST', '/notifications'],
      ['OPTIONS', '/products'],
    ])('%s %s is 404 NOT_FOUND', async (method, path) => {
      expectProblem(await send(method, path, { as: 'customer' }), 404, 'NOT_FOUND');
    });

    it.each(['/api/v2/products', '/api', '/api/v1', '/products'])('GET %s outside the API is 404 NOT_FOUND', async (path) => {
      const response = await fetch(`${app.url}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    });
  });
});
