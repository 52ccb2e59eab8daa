/**
 * @module One order as the load client places it: POST /api/v1/orders over keep-alive HTTP,
 * to the Seam shop's gateway or to the plain shop, which answer alike.
 */
import { orderBody, testCards } from '../../test/support/shop-client.js';
import type { HttpClient } from './http-client.js';
import { linesOf } from './order-lines.js';

/** Places order `index` with a good card and a fresh Idempotency-Key; anything but 201 CONFIRMED throws. */
export const orderOverHttp =
  (client: HttpClient, token: string, productIds: readonly string[], runId: string) =>
  async (index: number): Promise<void> => {
    const reply = await client.postJson(
      '/api/v1/orders',
      { authorization: `Bearer ${token}`, 'idempotency-key': `bench-${runId}-${index}` },
      JSON.stringify(orderBody(linesOf(productIds, index), testCards.good)),
    );
    const status = reply.status === 201 ? (JSON.parse(reply.body) as { status?: unknown }).status : undefined;
    if (reply.status !== 201 || status !== 'CONFIRMED') throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
  };
