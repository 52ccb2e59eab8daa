/**
 * Bad input at every public route, on embedded PGlite: each refusal is a 4xx
 * `application/problem+json` with a stable `code` (and, for bad input, `errors` naming the
 * field), never a 5xx, and a refused request creates or changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { orderBody } from '../support/shop-client.js';
import { startTestApp } from '../support/test-app.js';

const adminPassword = 'bad-input-admin-password';
const jwtSecret = 'bad-input-test-secret-of-at-least-32-chars';
const bodyLimitBytes = 65_536;

const VALIDATION = 'VALIDATION_FAILED';

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
interface Reply {
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

type As = 'anonymous' | 'customer' | 'admin';
interface Call {
  readonly as?: As;
  readonly json?: unknown;
  readonly body?: NonNullable<RequestInit['body']>;
  readonly headers?: Record<string, string>;
}

/** A field left out of a body, in the tables below. */
const missing = Symbol('missing');

/** A deep copy of `base` with the dotted `path` set to `value` (or removed, for `missing`). */
const withField = (base: unknown, path: string, value: unknown): unknown => {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy);
  if (value === missing) delete parent[last];
  else parent[last] = value;
  return copy;
};

const show = (value: unknown): string => {
  if (value === missing) return 'missing';
  if (typeof value === 'string' && value.length > 24) return `"${value.slice(0, 8)}…" (${value.length} chars)`;
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
};

/** Rows `[path, value, field?]` of a field table: each a 400 naming `field` (default: the path). */
type FieldRow = readonly [path: string, value: unknown, field?: string];
const fieldCases = (rows: readonly FieldRow[]) =>
  rows.map(([path, value, field]) => [`${path} = ${show(value)} is 400 naming ${field ?? path}`, { path, value, field: field ?? path }] as const);

const long = (length: number, char = 'x'): string => char.repeat(length);
const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nul = 'a\u0000b';
/** A lone UTF-16 surrogate: JSON can carry it ("\ud800"), Unicode text cannot. */
const loneSurrogate = 'Ber\ud800lin';

describe('bad input at every public route, on embedded PGlite', () => {
  let app: RunningApp;
  const tokens: Record<As, string | undefined> = { anonymous: undefined, customer: undefined, admin: undefined };
  /** Authorization headers that must all be refused, minted in beforeAll. */
  const forged: Record<string, string> = {};
  /** Ids the tables refer to as `{name}` in paths, filled in beforeAll. */
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

  /** A 4xx problem document with `code`, and for bad input an `errors` entry naming `field`. */
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

  // Bodies that would succeed; the tables below break one thing in them.
  const newProduct = () => ({ sku: `BAD-${marker}`, name: `Bad Input ${marker}`, description: 'Never created', priceCents: 1000, currency: 'EUR', categorySlug: 'home', weightGrams: 500 });
  const registration = () => ({ email: refusedEmail, password: 'a long enough password', name: 'Refused Shopper' });
  const order = () => orderBody([{ productId: ids['product']!, quantity: 1 }]);
  const orderCall = (json: unknown): Call => ({ as: 'customer', json, headers: { 'idempotency-key': randomUUID() } });

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
    const [header, , signature] = tokens.customer.split('.');
    forged['signed with the real secret but tampered'] = `${header}.${encode({ ...claims, sub: randomUUID(), iss: 'seam', aud: 'seam-api', exp: now + 600 })}.${signature}`;

    before = { productIds: await productIds(), product: await productNow() };
  });
  afterAll(async () => {
    await app?.stop();
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

  it('created and changed nothing: same products, same stock, no orders, no notifications, no account', async () => {
    expect(await productIds()).toEqual(before.productIds);
    expect(await productNow()).toEqual(before.product);
    expect(before.product.available).toBe(5);
    const orders = await send('GET', '/orders', { as: 'customer' });
    expect({ status: orders.status, body: orders.body }).toEqual({ status: 200, body: { items: [] } });
    const notifications = await send('GET', '/notifications', { as: 'customer' });
    expect(notifications.body).toMatchObject({ items: [] });
    expectProblem(await send('POST', '/auth/login', { json: { email: refusedEmail, password: registration().password } }), 401, 'INVALID_CREDENTIALS');
    expect((await send('GET', `/products?q=${marker}`)).body).toMatchObject({ items: [] });
  });
});
