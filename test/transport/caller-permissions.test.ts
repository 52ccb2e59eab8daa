/**
 * Who may call a service: the payments service of the split topology, started through the
 * composition root, takes calls from orders (whose module requires payments) and from no
 * one else, however genuine the credential. Nothing about what it serves is told before the
 * credential is checked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { bindHttp } from '../../src/transport/http/rpc-client.js';
import { serviceCredentials } from '../../src/transport/http/service-credential.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startSplitService, type SplitService } from '../support/split-service.js';

const secret = 'permissions-test-secret-permissions-test-0123';
const card = { number: '4242424242424242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' };

let redis: RedisServer;
let payments: SplitService;

beforeAll(async () => {
  redis = await startRedis();
  payments = await startSplitService('payments', { REDIS_URL: redis.url, SEAM_SERVICE_SECRET: secret });
});
afterAll(async () => {
  await payments?.app.stop();
  await redis?.stop();
});

/** The payments API as service `caller` calls it, signing with `signWith`. */
const paymentsAs = (caller: string, signWith = secret) =>
  bindHttp(paymentsContract, { endpoint: () => payments.app.url, credentials: serviceCredentials({ secret: signWith, service: caller }), timeoutMs: 5000 });

const post = async (path: string, credential?: string) => {
  const response = await fetch(`${payments.app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(credential === undefined ? {} : { 'x-seam-credential': credential }) },
    body: '{}',
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as { error?: { code: string } } | null };
};

/** The value of seam_rpc_denied_total with these labels (in whatever order prom-client writes them). */
const deniedCount = (metrics: string, labels: Record<string, string>): number | undefined => {
  const line = metrics
    .split('\n')
    .find((candidate) => candidate.startsWith('seam_rpc_denied_total{') && Object.entries(labels).every(([name, value]) => candidate.includes(`${name}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

const chargedOrder = async (): Promise<{ orderId: string; paymentId: string }> => {
  const orderId = randomUUID();
  const payment = await paymentsAs('orders').charge({ orderId, userId: randomUUID(), amountCents: 1250, currency: 'EUR', card });
  expect(payment.status).toBe('CAPTURED');
  return { orderId, paymentId: payment.paymentId };
};

describe('caller permissions between services', () => {
  it('serves a service whose modules require the contract (orders charging a payment)', async () => {
    const { orderId } = await chargedOrder();
    expect(await paymentsAs('orders').getPaymentByOrder({ orderId })).toMatchObject({ orderId, status: 'CAPTURED', refundedCents: 0 });
  });

  it('refuses a refund signed as notifications with 403 CALLER_NOT_ALLOWED, leaves the payment alone, and logs and counts it', async () => {
    const { orderId, paymentId } = await chargedOrder();
    await expect(paymentsAs('notifications').refund({ paymentId })).rejects.toMatchObject({ code: 'CALLER_NOT_ALLOWED', kind: 'forbidden' });
    await expect(paymentsAs('notifications').refundOrder({ orderId })).rejects.toMatchObject({ code: 'CALLER_NOT_ALLOWED', kind: 'forbidden' });
    expect(await paymentsAs('orders').getPaymentByOrder({ orderId })).toMatchObject({ status: 'CAPTURED', refundedCents: 0 });

    expect(payments.lines.filter((line) => line['caller'] === 'notifications' && line['method'] === 'refund')).toEqual([
      expect.objectContaining({ level: 40, contract: 'payments/v1', msg: expect.stringContaining('may not call') }),
    ]);
    const metrics = await (await fetch(`${payments.app.url}/metrics`)).text();
    expect(deniedCount(metrics, { caller: 'notifications', contract: 'payments/v1', method: 'refund' })).toBe(1);
    expect(deniedCount(metrics, { caller: 'notifications', contract: 'payments/v1', method: 'refundOrder' })).toBe(1);
  });

  it('refuses the public edge too: the gateway’s routes never call payments', async () => {
    const { paymentId } = await chargedOrder();
    await expect(paymentsAs('gateway').refund({ paymentId })).rejects.toMatchObject({ code: 'CALLER_NOT_ALLOWED' });
  });

  it('answers 401 to a genuine credential naming a service the topology does not have', async () => {
    const { orderId, paymentId } = await chargedOrder();
    await expect(paymentsAs('evil').refund({ paymentId })).rejects.toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthenticated' });
    expect(await paymentsAs('orders').getPaymentByOrder({ orderId })).toMatchObject({ status: 'CAPTURED', refundedCents: 0 });
    expect(payments.lines.some((line) => line['caller'] === 'evil' && line['level'] === 40)).toBe(true);
  });

  it('checks the credential before any routing answer: a stranger learns nothing of what is served', async () => {
    const forged = await serviceCredentials({ secret: 'forged-secret-forged-secret-forged-012345', service: 'orders' }).current();
    const evil = await serviceCredentials({ secret, service: 'evil' }).current();
    for (const path of ['/rpc/payments/v1/nope', '/rpc/payments/v9/refund', '/rpc/nothing/v1/refund', '/rpc/payments']) {
      for (const credential of [undefined, forged, evil]) {
        expect(await post(path, credential)).toEqual({ status: 401, body: { error: expect.objectContaining({ code: 'UNAUTHORIZED' }) } });
      }
    }
  });

  it('tells a caller of the deployment what is unknown, once it may call the contract', async () => {
    const orders = await serviceCredentials({ secret, service: 'orders' }).current();
    const notifications = await serviceCredentials({ secret, service: 'notifications' }).current();
    expect((await post('/rpc/payments/v1/nope', orders)).body?.error?.code).toBe('UNKNOWN_METHOD');
    expect((await post('/rpc/payments/v9/refund', orders)).body?.error?.code).toBe('UNKNOWN_CONTRACT_VERSION');
    expect((await post('/rpc/nothing/v1/refund', orders)).body?.error?.code).toBe('UNKNOWN_CONTRACT');
    expect(await post('/rpc/payments/v1/nope', notifications)).toMatchObject({ status: 403, body: { error: { code: 'CALLER_NOT_ALLOWED' } } });
  });
});
