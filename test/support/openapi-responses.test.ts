/**
 * The journeys' OpenAPI response check can fail: answers the served document does not allow
 * (an undocumented status, content type, operation or problem code, a body its schema
 * refuses) are each reported, naming the route; the document's own examples pass.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { servedApiDocument } from '../../scripts/public-api.js';
import { application } from '../../src/application.js';
import { responseValidator, type Exchange, type ResponseValidator } from './openapi-responses.js';

interface Media {
  readonly example?: unknown;
  readonly examples?: Record<string, { readonly value: unknown }>;
}
type Paths = Record<string, Record<string, { responses: Record<string, { content: Record<string, Media> }> }>>;

let document: { paths: Paths };
let responses: ResponseValidator;

beforeAll(async () => {
  document = (await servedApiDocument(application)) as unknown as { paths: Paths };
  responses = await responseValidator(JSON.parse(JSON.stringify(document)) as Parameters<typeof responseValidator>[0], 'the served document');
});

/** The documented example of `status` for `method path` as `media`. */
const exampleOf = (path: string, method: string, status: string, media = 'application/json', code?: string): Record<string, unknown> => {
  const content = document.paths[path]?.[method]?.responses[status]?.content[media];
  const example = code === undefined ? content?.example : content?.examples?.[code]?.value;
  if (example === undefined) throw new Error(`no example for ${method} ${path} ${status} ${code ?? ''}`);
  return structuredClone(example) as Record<string, unknown>;
};

const product = (): Record<string, unknown> => exampleOf('/products/{id}', 'get', '200');
const getProduct = (status: number, body: unknown, contentType = 'application/json'): Exchange => ({
  method: 'GET',
  path: '/products/5a1f0c2e-7b3d-5e4f-8a6b-9c0d1e2f3a4b',
  status,
  contentType,
  body: JSON.stringify(body),
});

describe('the OpenAPI response check', () => {
  it("passes the document's own examples: an answer, one with a null field, and a problem", async () => {
    expect(await responses.problems(getProduct(200, product()))).toEqual([]);
    expect(await responses.problems(getProduct(200, { ...product(), available: null }))).toEqual([]);
    expect(await responses.problems(getProduct(404, exampleOf('/products/{id}', 'get', '404', 'application/problem+json', 'PRODUCT_NOT_FOUND'), 'application/problem+json'))).toEqual([]);
  });

  it('refuses a status the route does not document', async () => {
    expect(await responses.problems(getProduct(418, product()))).toEqual([expect.stringMatching(/^status 418 is not documented \(documented: 200, 400, 404, /)]);
  });

  it('refuses a body its schema does not allow, saying where and why', async () => {
    expect(await responses.problems(getProduct(200, { ...product(), available: '3' }))).toEqual([
      'body/available fails type "integer", got "3"',
      'body/available fails type "null", got "3"',
    ]);
    const { name: _name, ...nameless } = product();
    expect(await responses.problems(getProduct(200, nameless))).toEqual(['body lacks name']);
  });

  it('refuses a problem document that breaks the Problem schema it refers to', async () => {
    const problem = { ...exampleOf('/products/{id}', 'get', '404', 'application/problem+json', 'PRODUCT_NOT_FOUND'), status: '404' };
    expect(await responses.problems(getProduct(404, problem, 'application/problem+json'))).toEqual(['body/status fails type "integer", got "404"']);
  });

  it('refuses a content type the status does not document, and a problem code it does not name', async () => {
    expect(await responses.problems(getProduct(200, product(), 'text/html; charset=utf-8'))).toEqual([
      'content type text/html; charset=utf-8 is not documented for status 200 (documented: application/json)',
    ]);
    const declinedAsConflict = { ...exampleOf('/orders', 'post', '409', 'application/problem+json', 'OUT_OF_STOCK'), code: 'PAYMENT_DECLINED' };
    const placed: Exchange = { method: 'POST', path: '/orders', status: 409, contentType: 'application/problem+json', body: JSON.stringify(declinedAsConflict) };
    expect(await responses.problems(placed)).toEqual([expect.stringMatching(/^problem code "PAYMENT_DECLINED" is not documented for status 409 \(documented: .*OUT_OF_STOCK/)]);
  });

  it('refuses an operation the document does not have', async () => {
    expect(await responses.problems({ ...getProduct(200, product()), method: 'DELETE' })).toEqual(['no operation DELETE /products/5a1f0c2e-7b3d-5e4f-8a6b-9c0d1e2f3a4b is documented']);
  });

  it('fails with a message naming the request, the route, its operation and each mismatch', async () => {
    const wrong = { ...getProduct(200, { ...product(), priceCents: -1 }), path: '/products/abc?fields=all' };
    await expect(responses.assertConforms(wrong)).rejects.toThrow(
      /^GET \/products\/abc\?fields=all \(route GET \/products\/\{id\}, getProduct\) answered 200 application\/json, which the served document does not allow:\n {2}body\/priceCents fails minimum 0, got -1\n/,
    );
  });

  it('refuses a document that is not OpenAPI 3.1', async () => {
    const { info: _info, ...untitled } = JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
    await expect(responseValidator(untitled as Parameters<typeof responseValidator>[0], 'an untitled document')).rejects.toThrow(/^an untitled document is not a valid OpenAPI 3\.1 document/);
  });
});
