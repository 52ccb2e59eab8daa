/**
 * The OpenAPI document at /api/v1/openapi.json: every public route described, with its
 * bearer scheme, Idempotency-Key and problem answers; examples and real answers that fit
 * the document's own schemas; the /docs page and its files served from this process.
 */
import { application } from '../../src/application.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunningApp } from '../../src/host/start.js';
import { createGateway, type GatewayOptions } from '../../src/gateway/app.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import type { AnyContract, ContractApi } from '../../src/kernel/contract.js';
import { createLogger } from '../../src/kernel/logger.js';
import { startTestApp } from '../support/test-app.js';

interface Media {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  operationId: string;
  security: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media>; headers?: Record<string, unknown> }>;
}
interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, Record<string, unknown>> };
}

const refuse = <C extends AnyContract>(contract: C): ContractApi<C> =>
  new Proxy({} as ContractApi<C>, { get: () => () => Promise.reject(new Error(`${contract.id} is not called in this test`)) });

const gateway = (options: Partial<GatewayOptions> = {}) =>
  createGateway({
    publicEdge: application.edge,
    logger: createLogger({ level: 'silent' }),
    bodyLimitBytes: 10_000,
    readiness: async () => ({ ready: true, checks: {} }),
    contracts: [],
    resolve: refuse,
    tokens: accessTokens('openapi-test-secret-0123456789abcdefghij', 60),
    ...options,
  });

const served = async (): Promise<Document> => {
  const response = await gateway().request('/api/v1/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as Document;
};

/** `METHOD /path` of every operation, in OpenAPI's `{param}` form. */
const operationsOf = (document: Document): string[] =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

const validatorOf = (schema: Record<string, unknown> | undefined) => z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);

describe('GET /api/v1/openapi.json', () => {
  it('describes every route of /api/v1, and nothing else', async () => {
    const document = await served();
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: '/api/v1' }]);
    const routes = gateway()
      .routes.filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/v1/') && route.path !== '/api/v1/openapi.json')
      .map((route) => `${route.method} ${route.path.slice('/api/v1'.length).replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(routes).size).toBeGreaterThanOrEqual(16);
    expect(operationsOf(document).sort()).toEqual([...new Set(routes)].sort());
  });

  it('names the bearer scheme, the Idempotency-Key and the problem answers', async () => {
    const document = await served();
    expect(document.components.securitySchemes['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const placeOrder = document.paths['/orders']?.['post'];
    expect(placeOrder?.security).toEqual([{ bearer: [] }]);
    expect(placeOrder?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(Object.keys(placeOrder?.responses['402']?.content?.['application/problem+json']?.examples ?? {})).toEqual(['PAYMENT_DECLINED']);
    expect(placeOrder?.responses['503']?.headers).toHaveProperty('Retry-After');
    expect(Object.keys(placeOrder?.responses['503']?.content?.['application/problem+json']?.examples ?? {})).toEqual(
      expect.arrayContaining(['PAYMENT_FAILED', 'SERVICE_UNAVAILABLE', 'OUTCOME_UNKNOWN']),
    );
    expect(document.paths['/products']?.['get']?.security).toEqual([]);
    expect(Object.keys(document.paths['/products']?.['post']?.responses ?? {})).toEqual(expect.arrayContaining(['201', '401', '403', '409', '415', '422']));
  });

  it('gives examples that fit the schemas beside them', async () => {
    const document = await served();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const body = operation.requestBody?.content['application/json'];
        if (body) expect(validatorOf(body.schema).safeParse(body.example).error, `${where} request example`).toBeUndefined();
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            const examples = media.examples ? Object.values(media.examples).map((example) => example.value) : [media.example];
            const schema = media.schema?.['$ref'] === '#/components/schemas/Problem' ? document.components.schemas['Problem'] : media.schema;
            for (const example of examples) expect(validatorOf(schema).safeParse(example).error, `${where} ${status} example`).toBeUndefined();
          }
        }
      }
    }
  });
});

describe('/docs and /', () => {
  it('serves the reference page and every file it loads from this process', async () => {
    const app = gateway();
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(loaded.length).toBeGreaterThanOrEqual(4);
    for (const url of loaded) {
      expect(url.startsWith('/docs/'), `${url} is served here`).toBe(true);
      const response = await app.request(url);
      expect(response.status, url).toBe(200);
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
    }
    expect(await (await app.request('/docs/init.js')).text()).toContain('"/api/v1/openapi.json"');
    expect((await app.request('/docs/package.json')).status).toBe(404);
  });

  it('leads / to the reference when told to, and answers 404 otherwise', async () => {
    const home = await gateway({ homeRedirect: '/docs' }).request('/');
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/docs');
    const none = await gateway().request('/');
    expect(none.status).toBe(404);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('answers of a running shop', () => {
  let app: RunningApp;
  let document: Document;
  beforeAll(async () => {
    app = await startTestApp();
    document = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as Document;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it.each([
    ['/products', '/products?limit=3'],
    ['/categories', '/categories'],
    ['/shipping/rates', '/shipping/rates?country=DE&weightGrams=500'],
  ])('GET %s answers what the document says', async (path, url) => {
    const response = await fetch(`${app.url}/api/v1${url}`);
    expect(response.status).toBe(200);
    const schema = document.paths[path]?.['get']?.responses['200']?.content?.['application/json']?.schema;
    expect(validatorOf(schema).safeParse(await response.json()).error).toBeUndefined();
  });
});
