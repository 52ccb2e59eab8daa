/**
 * SIGTERM under an order and browse load on kept-alive connections, against the real entry
 * point: readiness fails at once, the process serves on through the drain delay, then answers
 * requests on old connections with `Connection: close`; every request sent gets an answer
 * (none is reset), and the process exits 0.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { startMain } from '../support/main-process.js';
import { orderBody } from '../support/shop-client.js';

const adminPassword = 'drain-test-admin-password';
const connections = 4;
/** Bound of the load: far more than a connection sends in the drain delay. */
const maxRequestsPerConnection = 5000;

/** One request's fate; `seq` orders every answer the test saw, across connections. */
interface Outcome {
  readonly seq: number;
  readonly afterSignal: boolean;
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
}

let seq = 0;

const call = async (client: Client, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await client.request({
    method,
    path,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  const connection = response.headers['connection'];
  return { status: response.statusCode, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, connection: typeof connection === 'string' ? connection : undefined };
};

/** A restocked product and a signed-in customer, through the public API. */
const prepare = async (url: string) => {
  const client = new Client(url);
  try {
    const admin = await call(client, 'POST', '/api/v1/auth/login', { email: 'admin@seam.local', password: adminPassword });
    const asAdmin = { authorization: `Bearer ${String(admin.body['token'])}` };
    const products = await call(client, 'GET', '/api/v1/products?limit=1');
    const productId = String((products.body['items'] as { id: string }[])[0]?.id);
    expect((await call(client, 'PUT', `/api/v1/inventory/${productId}`, { available: 1_000_000 }, asAdmin)).status).toBe(200);
    const email = `drain-${randomUUID()}@example.com`;
    await call(client, 'POST', '/api/v1/auth/register', { email, password: 'correct horse battery', name: 'Drain' });
    const login = await call(client, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
    return { productId, token: String(login.body['token']) };
  } finally {
    await client.close();
  }
};

/**
 * Browses and orders in turn on one kept-alive connection until the server says
 * `Connection: close`, a request fails, the process has exited, or the bound is reached.
 */
const loadOneConnection = async (url: string, session: { productId: string; token: string }, signalled: () => boolean, exited: () => boolean, answered: () => void) => {
  const client = new Client(url, { pipelining: 1 });
  let connects = 0;
  client.on('connect', () => (connects += 1));
  const outcomes: Outcome[] = [];
  try {
    for (let i = 0; i < maxRequestsPerConnection && !exited(); i++) {
      const afterSignal = signalled();
      try {
        const reply =
          i % 2 === 0
            ? await call(client, 'GET', '/api/v1/products?limit=5')
            : await call(client, 'POST', '/api/v1/orders', orderBody([{ productId: session.productId, quantity: 1 }]), {
                authorization: `Bearer ${session.token}`,
                'idempotency-key': randomUUID(),
              });
        outcomes.push({ seq: seq++, afterSignal, status: reply.status, ...(reply.connection === undefined ? {} : { connection: reply.connection }) });
        answered();
        if (reply.connection === 'close') break;
      } catch (error) {
        const code = (error as { code?: string }).code;
        outcomes.push({ seq: seq++, afterSignal, error: `${code ?? ''} ${error instanceof Error ? error.message : String(error)}` });
        break;
      }
    }
  } finally {
    await client.close();
  }
  return { outcomes, connects };
};

/** Asks /readyz from the signal on until it says 503, then /healthz once; bounded in count. */
const watchReadiness = async (url: string) => {
  const client = new Client(url);
  const readyz: { seq: number; status: number }[] = [];
  let healthz: number | undefined;
  try {
    for (let i = 0; i < 1000 && readyz.at(-1)?.status !== 503; i++) readyz.push({ seq: seq++, status: (await call(client, 'GET', '/readyz')).status });
    healthz = (await call(client, 'GET', '/healthz')).status;
  } finally {
    await client.close();
  }
  return { readyz, healthz };
};

describe('SIGTERM under load', () => {
  it('fails readiness at once, drains, closes kept-alive connections with an answer, resets nothing and exits 0', async () => {
    const main = startMain({
      NODE_ENV: 'development',
      PORT: '0',
      PGLITE_DIR: 'memory://',
      ADMIN_PASSWORD: adminPassword,
      RATE_LIMIT: 'off',
      SHUTDOWN_DRAIN_DELAY_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '30000',
    });
    const url = await main.listening;
    const session = await prepare(url);
    let exited = false;
    void main.exited.then(() => (exited = true));

    let signalled = false;
    let answers = 0;
    let warm: () => void = () => undefined;
    const warmedUp = new Promise<void>((resolve) => (warm = resolve));
    const load = Promise.all(
      Array.from({ length: connections }, () =>
        loadOneConnection(url, session, () => signalled, () => exited, () => {
          answers += 1;
          if (answers === connections * 4) warm();
        }),
      ),
    );
    await Promise.race([warmedUp, load]);
    main.child.kill('SIGTERM');
    signalled = true;
    const readiness = await watchReadiness(url);
    const loads = await load;
    const exit = await main.exited;

    const outcomes = loads.flatMap((one) => one.outcomes);
    // Every request sent got a status: none was reset or dropped.
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(outcomes.every((outcome) => outcome.status !== undefined && [200, 201, 202].includes(outcome.status))).toBe(true);

    // Readiness failed while the server still served kept-alive requests (the drain delay).
    const notReady = readiness.readyz.find((probe) => probe.status === 503);
    expect(notReady).toBeDefined();
    expect(readiness.healthz).toBe(200);
    const firstClose = Math.min(...outcomes.filter((outcome) => outcome.connection === 'close').map((outcome) => outcome.seq));
    expect(notReady?.seq).toBeLessThan(firstClose);
    const servedWhileDraining = outcomes.filter((outcome) => outcome.seq > (notReady?.seq ?? Infinity) && outcome.connection !== 'close');
    expect(servedWhileDraining.length).toBeGreaterThan(0);

    // After the drain delay each old connection got its last answer with `Connection: close`,
    // and none was replaced by a new one.
    for (const one of loads) {
      expect(one.connects).toBe(1);
      expect(one.outcomes.at(-1)).toMatchObject({ afterSignal: true, connection: 'close' });
    }

    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('"msg":"stopped"');
  }, 120_000);
});
