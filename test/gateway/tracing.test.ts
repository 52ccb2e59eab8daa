/**
 * One W3C trace per request, from the HTTP edge through the modules into the events they
 * publish, and on every log line written on the way.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { selectRows } from '../../src/kernel/database.js';
import { createLogger } from '../../src/kernel/logger.js';
import { orderBody, ShopClient } from '../support/shop-client.js';
import { startTestApp } from '../support/test-app.js';

interface LogLine {
  readonly msg: string;
  readonly path?: string;
  readonly traceId?: string;
  readonly spanId?: string;
}

describe('tracing', () => {
  let app: RunningApp;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    app = await startTestApp({}, createLogger({ level: 'info', destination }));
  });
  afterAll(async () => {
    await app?.stop();
  });

  const accessLine = (path: string): LogLine | undefined => lines.findLast((line) => line.msg === 'request' && line.path === path);

  it('continues the trace a caller sends, and starts one for a caller that sends none', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(`${app.url}/api/v1/categories`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(accessLine('/api/v1/categories')).toMatchObject({ traceId });
    expect(accessLine('/api/v1/categories')!.spanId).not.toBe('00f067aa0ba902b7');

    await fetch(`${app.url}/api/v1/categories`, { headers: { traceparent: 'garbage' } });
    const fresh = accessLine('/api/v1/categories')!;
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.traceId).not.toBe(traceId);
  });

  it('stores the order request’s trace with the event the order publishes', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const shopper = await new ShopClient(app.url).signIn('traced@example.com');
    const products = await shopper.get<{ items: { id: string }[] }>('/products?limit=1');
    const placed = await shopper.post<{ id: string; status: string }>('/orders', orderBody([{ productId: products.body.items[0]!.id, quantity: 1 }]), {
      'idempotency-key': 'traced-order-1',
      traceparent: `00-${traceId}-1111111111111111-01`,
    });
    expect(placed.status).toBeLessThan(300);
    const events = await selectRows<{ event_type: string; traceparent: string | null }>(
      app.database!.db,
      sql`select event_type, traceparent from orders.outbox where payload->>'orderId' = ${placed.body.id}`,
    );
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(event.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  });
});
