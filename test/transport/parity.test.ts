/**
 * One contract test body, two bindings: the catalog called in process and over HTTP must
 * give the same results and the same errors (code, status, details, message).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/app/http-server.js';
import type { ContractApi } from '../../src/kernel/contract.js';
import { SeamError } from '../../src/kernel/errors.js';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { catalogModule } from '../../src/modules/catalog/module.js';
import { seedProducts } from '../../src/modules/catalog/seed-data.js';
import { bindHttp } from '../../src/transport/http/rpc-client.js';
import { credentialsFor, serveRpc } from '../support/rpc-server.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

type Catalog = ContractApi<typeof catalogContract>;

let running: TestHost;
let server: HttpServer;
const bindings: Record<string, Catalog> = {};

beforeAll(async () => {
  running = await startTestHost([catalogModule]);
  await running.host.seed({ onlyIfEmpty: true });
  const local = running.host.api(catalogContract);
  server = await serveRpc([{ contract: catalogContract, api: local }]);
  bindings['in-process'] = local;
  bindings['http'] = bindHttp(catalogContract, { endpoint: () => server.url, credentials: credentialsFor('gateway'), timeoutMs: 5000 });
});
afterAll(async () => {
  await server?.close();
  await running?.stop();
});

const failureOf = async (call: Promise<unknown>): Promise<SeamError> => {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SeamError);
  return error as SeamError;
};

describe.each(['in-process', 'http'])('catalog contract over %s', (binding) => {
  const catalog = (): Catalog => bindings[binding]!;

  it('pages through products with the same results', async () => {
    const first = await catalog().listProducts({ limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await catalog().listProducts({ limit: 3, cursor: first.nextCursor! });
    expect(second.items[0]!.name >= first.items[2]!.name).toBe(true);
    const reference = await bindings['in-process']!.listProducts({ limit: 3 });
    expect(first).toEqual(reference);
  });

  it('gets a product and several by id', async () => {
    const product = await catalog().getProduct({ id: seedProducts[5]!.id });
    expect(product).toMatchObject({ id: seedProducts[5]!.id, sku: seedProducts[5]!.sku });
    const many = await catalog().getProductsByIds({ ids: [seedProducts[1]!.id, 'unknown'] });
    expect(many.items.map((item) => item.id)).toEqual([seedProducts[1]!.id]);
  });

  it('raises the declared domain error with its code, status, message and details', async () => {
    const error = await failureOf(catalog().getProduct({ id: '00000000-0000-4000-8000-000000000000' }));
    expect(error.toJSON()).toEqual({
      code: 'PRODUCT_NOT_FOUND',
      status: 404,
      message: 'No product with id 00000000-0000-4000-8000-000000000000',
      details: { productId: '00000000-0000-4000-8000-000000000000' },
    });
  });

  it('reports a bad cursor as INVALID_CURSOR naming the field', async () => {
    const error = await failureOf(catalog().listProducts({ limit: 2, cursor: 'garbage' }));
    expect(error).toMatchObject({ code: 'INVALID_CURSOR', status: 400, details: { errors: [{ field: 'cursor' }] } });
  });

  it('rejects input that breaks the contract with VALIDATION_FAILED naming the field', async () => {
    const error = await failureOf(catalog().listProducts({ limit: 0 }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/^catalog\/v1\.listProducts input: limit:/);
    expect(error.details).toMatchObject({ errors: [{ field: 'limit' }] });
  });
});
