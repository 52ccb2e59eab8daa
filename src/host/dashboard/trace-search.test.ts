import { describe, expect, it } from 'vitest';
import type { RecordedSpan } from '../span-buffer.js';
import { recentTraces, waterfallOf } from './trace-search.js';

const span = (traceId: string, spanId: string, name: string, startMs: number, durationMs: number, extra: Partial<RecordedSpan> = {}): RecordedSpan => ({
  traceId,
  spanId,
  parentSpanId: undefined,
  name,
  service: 'shop',
  startMs,
  durationMs,
  failed: false,
  attributes: {},
  ...extra,
});

const orderTrace = 'a'.repeat(32);
const productsTrace = 'b'.repeat(32);
const dashboardTrace = 'c'.repeat(32);

const spans: RecordedSpan[] = [
  span(orderTrace, 'o2', 'checkout charge', 1010, 30, { parentSpanId: 'o1', attributes: { 'seam.order.id': 'order-42' } }),
  span(orderTrace, 'o3', 'payments/v1/charge', 1015, 20, { parentSpanId: 'o2', failed: true }),
  span(orderTrace, 'o1', 'POST /api/v1/orders', 1000, 100, { attributes: { 'http.response.status_code': 201 } }),
  span(productsTrace, 'p1', 'GET /api/v1/products', 2000, 10, { attributes: { 'http.response.status_code': 200 } }),
  span(dashboardTrace, 'd1', 'GET /_seam/traces', 3000, 5),
];

describe('recentTraces', () => {
  it('sums up each trace by its root, newest first, leaving out hidden routes', () => {
    const traces = recentTraces(spans, { hidden: ['/_seam'], limit: 10 });
    expect(traces.map((trace) => trace.name)).toEqual(['GET /api/v1/products', 'POST /api/v1/orders']);
    expect(traces[1]).toMatchObject({ traceId: orderTrace, durationMs: 100, spanCount: 3, failed: true, statusCode: 201 });
  });

  it('finds a trace by an attribute of any of its spans, by its id, or by route', () => {
    const names = (search: string) => recentTraces(spans, { search, limit: 10 }).map((trace) => trace.traceId);
    expect(names('order-42')).toEqual([orderTrace]);
    expect(names(productsTrace.toUpperCase())).toEqual([productsTrace]);
    expect(names('/api/v1/products')).toEqual([productsTrace]);
    expect(names('no-such-thing')).toEqual([]);
  });

  it('lists a trace other services found too, newest first among the local matches, and still leaves out hidden routes', () => {
    const found = recentTraces(spans, { search: 'order-42', alsoMatching: new Set([productsTrace, dashboardTrace]), hidden: ['/_seam'], limit: 10 });
    expect(found.map((trace) => trace.traceId)).toEqual([productsTrace, orderTrace]);
  });
});

describe('waterfallOf', () => {
  it('lays spans out in tree order on the trace’s time line', () => {
    const rows = waterfallOf(spans.filter((one) => one.traceId === orderTrace));
    expect(rows.map((row) => [row.span.name, row.depth])).toEqual([
      ['POST /api/v1/orders', 0],
      ['checkout charge', 1],
      ['payments/v1/charge', 2],
    ]);
    expect(rows[2]).toMatchObject({ offsetMs: 15, offsetPercent: 15, widthPercent: 20 });
  });
});
