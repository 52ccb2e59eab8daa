/**
 * @module The plain shop: what a team would write instead of Seam for checkout alone, a hono
 * app on @hono/node-server with postgres.js, answering `POST /api/v1/orders` as the Seam
 * gateway does: the same bearer token, Idempotency-Key header and body checks, 201 with the
 * same Order JSON, problem+json otherwise. The order is placed in one transaction
 * (place-order.ts). Listens on 127.0.0.1 only.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { once } from 'node:events';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import postgres from 'postgres';
import { plainShopAppName, poolSize } from '../parameters.js';
import { bearerVerifier } from './auth.js';
import { parseOrderBody } from './order-body.js';
import { plainPlaceOrder, type Refusal } from './place-order.js';

export interface PlainShop {
  readonly port: number;
  stop(): Promise<void>;
}

const problem = (c: Context, { status, code, detail, errors }: Refusal): Response =>
  c.body(JSON.stringify({ type: `urn:seam:problem:${code.toLowerCase().replace(/_/g, '-')}`, status, code, detail, instance: c.req.path, ...(errors ? { errors } : {}) }), status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
  });

const plainShopApp = (sql: postgres.Sql, jwtSecret: string): Hono => {
  const verify = bearerVerifier(jwtSecret);
  const placeOrder = plainPlaceOrder(sql);
  const app = new Hono();

  app.post('/api/v1/orders', async (c) => {
    const userId = await verify(c.req.header('authorization'));
    if (userId === undefined) return problem(c, { status: 401, code: 'UNAUTHORIZED', detail: 'The access token is missing, malformed, expired or not ours' });
    const idempotencyKey = c.req.header('idempotency-key')?.trim();
    if (!idempotencyKey || idempotencyKey.length > 200) {
      const errors = [{ field: 'Idempotency-Key', message: 'send a unique key (1 to 200 characters) per order as the Idempotency-Key header' }];
      return problem(c, { status: 400, code: 'VALIDATION_FAILED', detail: 'Invalid headers', errors });
    }
    if (!/^application\/(.+\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
      return problem(c, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as JSON with "Content-Type: application/json"' });
    }
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return problem(c, { status: 400, code: 'VALIDATION_FAILED', detail: 'Invalid body', errors: [{ field: '(body)', message: 'is not valid JSON' }] });
    }
    const parsed = parseOrderBody(json);
    if ('problems' in parsed) return problem(c, { status: 400, code: 'VALIDATION_FAILED', detail: 'Invalid body', errors: parsed.problems });
    const placed = await placeOrder(userId, idempotencyKey, parsed.body);
    return 'order' in placed ? c.json(placed.order, 201) : problem(c, placed.refusal);
  });

  app.onError((error, c) => {
    console.error(`plain shop: ${error instanceof Error ? error.message : String(error)}`);
    return problem(c, { status: 500, code: 'INTERNAL', detail: 'Internal error' });
  });
  return app;
};

/** Starts the plain shop on `databaseUrl`, verifying tokens signed with `jwtSecret`. */
export const startPlainShop = async (databaseUrl: string, jwtSecret: string): Promise<PlainShop> => {
  const sql = postgres(databaseUrl, { max: poolSize, onnotice: () => undefined, connection: { application_name: plainShopAppName } });
  const server = serve({ fetch: plainShopApp(sql, jwtSecret).fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sql.end({ timeout: 5 });
    },
  };
};
