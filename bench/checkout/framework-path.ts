/**
 * @module The framework path: POST /api/v1/orders through the gateway, over keep-alive HTTP.
 */
import { Pool } from 'undici';
import { orderBody, testCards } from '../../test/support/shop-client.js';
import { concurrency } from './parameters.js';
import { linesOf } from './order-lines.js';

/**
 * A keep-alive connection per order in flight. undici's pool rather than node:http or fetch:
 * the client runs in this process, so its cost lands in the framework's CPU figure and on the
 * event loop the shop runs on; the load generator should take as little of either as it can.
 */
export const httpPool = (port: number): Pool => new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });

/** Places order `index` with a good card and a fresh Idempotency-Key; anything but 201 CONFIRMED throws. */
export const frameworkOrder =
  (pool: Pool, token: string, productIds: readonly string[], runId: string) =>
  async (index: number): Promise<void> => {
    const reply = await pool.request({
      path: '/api/v1/orders',
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': `bench-${runId}-${index}`, 'content-type': 'application/json' },
      body: JSON.stringify(orderBody(linesOf(productIds, index), testCards.good)),
    });
    const body = await reply.body.text();
    const status = reply.statusCode === 201 ? (JSON.parse(body) as { status?: unknown }).status : undefined;
    if (reply.statusCode !== 201 || status !== 'CONFIRMED') throw new Error(`HTTP ${reply.statusCode}: ${body.slice(0, 200)}`);
  };
