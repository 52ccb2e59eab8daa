/**
 * TLS on the service port: a server with a certificate from the deployment's CA serves RPC
 * over https; a client trusting that CA calls it, one trusting another CA (or the public
 * ones) does not get through, and plain http to the port fails. Then the same through the
 * composition root: SEAM_TLS_* make a service serve https, and another service reaches it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listen, type HttpServer } from '../../src/host/http-server.js';
import { defineContract, type ContractApi } from '../../src/kernel/contract.js';
import { createLogger } from '../../src/kernel/logger.js';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { inventoryContract } from '../../src/modules/inventory/contract.js';
import { bindHttp, rpcAgent, sharedAgent } from '../../src/transport/http/rpc-client.js';
import { rpcServer } from '../../src/transport/http/rpc-server.js';
import { credentialsFor } from '../support/rpc-server.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startSplitService, type SplitService } from '../support/split-service.js';
import { makeTestCertificates, type TestCertificates } from '../support/test-certificates.js';

const echo = defineContract('echo', 1, {
  methods: { echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string() }), errors: [], idempotent: true } },
});
const served = { calls: 0 };
const implementation: ContractApi<typeof echo> = {
  echo: async ({ text }) => {
    served.calls += 1;
    return { text };
  },
};

let certificates: TestCertificates;
const agents: { close(): Promise<void> }[] = [];
const agentTrusting = (ca: string) => {
  const agent = rpcAgent({ ca });
  agents.push(agent);
  return agent;
};

beforeAll(() => {
  certificates = makeTestCertificates();
});
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  certificates?.remove();
});

describe('RPC over TLS', () => {
  let server: HttpServer;
  const credentials = credentialsFor('caller');
  const client = (endpoint: string, dispatcher = agentTrusting(certificates.ca)) => bindHttp(echo, { endpoint: () => endpoint, credentials, timeoutMs: 3000, dispatcher });

  beforeAll(async () => {
    const app = rpcServer({ served: [{ contract: echo, api: implementation }], credentials: credentialsFor('server'), callers: { caller: ['echo'] }, logger: createLogger({ level: 'silent' }) });
    server = await listen(app.fetch, '127.0.0.1', 0, { tls: { cert: certificates.cert, key: certificates.key } });
  });
  afterAll(() => server?.close());

  it('serves https, and a client trusting the deployment’s CA calls through', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await client(server.url).echo({ text: 'over tls' })).toEqual({ text: 'over tls' });
  });

  it('refuses the server to a client that trusts another CA, or only the public ones: the call never leaves', async () => {
    const before = served.calls;
    await expect(client(server.url, agentTrusting(certificates.otherCa)).echo({ text: 'x' })).rejects.toMatchObject({ code: 'REMOTE_CALL_FAILED' });
    await expect(client(server.url, sharedAgent).echo({ text: 'x' })).rejects.toMatchObject({ code: 'REMOTE_CALL_FAILED' });
    expect(served.calls).toBe(before);
  });

  it('does not answer plain http on the TLS port', async () => {
    const before = served.calls;
    const error = await client(server.url.replace('https:', 'http:'), sharedAgent)
      .echo({ text: 'x' })
      .catch((caught: unknown) => caught);
    // The request went out and the connection closed: to the client that is a failure in
    // transit (it cannot tell this from a server dying mid-call); the method never ran.
    expect(['REMOTE_CALL_FAILED', 'OUTCOME_UNKNOWN']).toContain((error as { code?: string }).code);
    expect(served.calls).toBe(before);
  });
});

describe('services of a topology with SEAM_TLS_*', () => {
  let redis: RedisServer;
  let catalog: SplitService;
  let inventory: SplitService;
  const secret = 'tls-test-secret-tls-test-secret-tls-0123456';

  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      SEAM_SERVICE_SECRET: secret,
      SEAM_TLS_CERT: certificates.certPath,
      SEAM_TLS_KEY: certificates.keyPath,
      SEAM_TLS_CA: certificates.caPath,
    };
    catalog = await startSplitService('catalog', env);
    // Inventory's sample-data seed lists the catalog's products: its first call to catalog, over TLS.
    inventory = await startSplitService('inventory', { ...env, SEAM_SERVICES: `catalog=${catalog.app.url}` });
  });
  afterAll(async () => {
    await inventory?.app.stop();
    await catalog?.app.stop();
    await redis?.stop();
  });

  it('serves https, and one service calls another through it, trusting the CA', async () => {
    expect(catalog.app.url).toMatch(/^https:/);
    expect(inventory.app.url).toMatch(/^https:/);
    const options = { credentials: credentialsFor('gateway', secret), timeoutMs: 5000, dispatcher: agentTrusting(certificates.ca) };
    const { items } = await bindHttp(catalogContract, { ...options, endpoint: () => catalog.app.url }).listProducts({ limit: 5 });
    expect(items).toHaveLength(5);
    const stock = await bindHttp(inventoryContract, { ...options, endpoint: () => inventory.app.url }).getStock({ productIds: items.map((product) => product.id) });
    expect(stock.items.every((level) => level.available > 0)).toBe(true);
    expect(inventory.lines.some((line) => line['msg'] === 'inventory seeded' && Number(line['products']) > 0)).toBe(true);
  });

  it('is not reached by plain http', async () => {
    await expect(fetch(`${catalog.app.url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
  });
});
