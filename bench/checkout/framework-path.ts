/**
 * @module The framework path: POST /api/v1/orders through the gateway, over keep-alive HTTP.
 */
import { Agent, request } from 'node:http';
import { orderBody, testCards } from '../../test/support/shop-client.js';
import { linesOf } from './order-lines.js';

interface HttpReply {
  readonly status: number;
  readonly body: string;
}

/** node:http rather than fetch: the client's own cost lands in this process's CPU figure, so keep it small. */
const postJson = (agent: Agent, port: number, path: string, headers: Record<string, string>, body: string): Promise<HttpReply> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });

/** Places order `index` with a good card and a fresh Idempotency-Key; anything but 201 CONFIRMED throws. */
export const frameworkOrder =
  (agent: Agent, port: number, token: string, productIds: readonly string[], runId: string) =>
  async (index: number): Promise<void> => {
    const reply = await postJson(
      agent,
      port,
      '/api/v1/orders',
      { authorization: `Bearer ${token}`, 'idempotency-key': `bench-${runId}-${index}` },
      JSON.stringify(orderBody(linesOf(productIds, index), testCards.good)),
    );
    const status = reply.status === 201 ? (JSON.parse(reply.body) as { status?: unknown }).status : undefined;
    if (reply.status !== 201 || status !== 'CONFIRMED') throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
  };
