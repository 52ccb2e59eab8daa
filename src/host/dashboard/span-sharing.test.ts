/**
 * A service's spans endpoint, over real HTTP as the gateway's dashboard reads it: the spans of
 * one trace, and the traces a search finds, for a gateway's credential; refused without one or
 * for another service; an instance that does not answer reported as such, not thrown.
 */
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceCredentials } from '../../transport/http/service-credential.js';
import { headers } from '../../transport/http/wire.js';
import { healthRoutes } from '../../gateway/health.routes.js';
import { listen, type HttpServer } from '../http-server.js';
import { SpanBuffer } from '../span-buffer.js';
import { fetchPeerMatches, fetchPeerRecentSpans, fetchPeerSpans, probeReadiness } from './peer-requests.js';
import { matchingTracesPath, recentSpansPath, spansEndpoint, spansPath } from './spans-endpoint.js';

const secret = 's'.repeat(40);
const gateway = serviceCredentials({ secret, service: 'gateway' });
const shipping = serviceCredentials({ secret, service: 'shipping' });
const peer = { timeoutMs: 1000 };

describe('sharing spans with the gateway', () => {
  const buffer = new SpanBuffer(10);
  const tracer = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'orders' }), sampler: new AlwaysOnSampler(), spanProcessors: [buffer] }).getTracer('test');
  const root = tracer.startSpan('orders/v1/placeOrder', { startTime: 1_000, attributes: { 'seam.order.id': 'order-1', 'rpc.system': 'seam' } });
  tracer.startSpan('checkout charge', { startTime: 1_005, attributes: { tags: ['a', 'b'] } }, trace.setSpan(context.active(), root)).end();
  root.end();
  tracer.startSpan('another trace').end();
  const traceId = root.spanContext().traceId;
  let server: HttpServer;
  let closed: HttpServer;

  beforeAll(async () => {
    const endpoint = spansEndpoint({ service: 'orders', instance: 'orders-0', spans: buffer, credentials: serviceCredentials({ secret, service: 'orders' }), readers: new Set(['gateway']) });
    server = await listen(endpoint.route('/', healthRoutes(async () => ({ ready: true, checks: {}, instance: 'orders-0' }))).fetch, '127.0.0.1', 0);
    closed = await listen(() => new Response('unused'), '127.0.0.1', 0);
    await closed.close();
  });
  afterAll(() => server?.close());

  it('gives a gateway the trace’s spans, with their parents and attributes', async () => {
    const answer = await fetchPeerSpans(server.url, traceId, gateway, peer);
    expect(answer.answered).toBe(true);
    const spans = answer.answered ? answer.value : [];
    expect(spans.map((span) => [span.name, span.service])).toEqual([
      ['orders/v1/placeOrder', 'orders'],
      ['checkout charge', 'orders'],
    ]);
    expect(spans[0]).toMatchObject({ parentSpanId: undefined, attributes: { 'seam.order.id': 'order-1' } });
    expect(spans[1]).toMatchObject({ parentSpanId: root.spanContext().spanId, attributes: { tags: ['a', 'b'] } });
  });

  it('finds a trace by an attribute of a span it keeps', async () => {
    expect(await fetchPeerMatches(server.url, 'order-1', gateway, peer)).toEqual({ answered: true, value: [traceId] });
    expect(await fetchPeerMatches(server.url, 'order-2', gateway, peer)).toEqual({ answered: true, value: [] });
  });

  it('refuses a request without a service credential, from a service other than a gateway, or without a trace id', async () => {
    const ask = async (query: string, credential?: string) => (await fetch(`${server.url}${spansPath}${query}`, { headers: credential ? { [headers.credential]: credential } : {} })).status;
    expect(await ask(`?trace=${traceId}`)).toBe(401);
    expect(await ask(`?trace=${traceId}`, 'forged')).toBe(401);
    expect(await ask(`?trace=${traceId}`, await shipping.current())).toBe(403);
    expect(await ask('?trace=nope', await gateway.current())).toBe(400);
    expect((await fetch(`${server.url}${matchingTracesPath}?q=order-1`, { headers: { [headers.credential]: await shipping.current() } })).status).toBe(403);
    expect((await fetch(`${server.url}${matchingTracesPath}?q=`, { headers: { [headers.credential]: await gateway.current() } })).status).toBe(400);
    expect((await fetch(`${server.url}${recentSpansPath}`)).status).toBe(401);
    expect((await fetch(`${server.url}${recentSpansPath}`, { headers: { [headers.credential]: await shipping.current() } })).status).toBe(403);
    expect(await fetchPeerRecentSpans(server.url, gateway, peer)).toMatchObject({ answered: true, value: expect.arrayContaining([expect.objectContaining({ traceId })]) });
    expect(await fetchPeerSpans(server.url, traceId, shipping, peer)).toEqual({ answered: false, detail: expect.stringMatching(/^HTTP 403: Service shipping may not read/) });
  });

  it('reports an instance that does not answer, rather than failing', async () => {
    expect(await fetchPeerSpans(closed.url, traceId, gateway, peer)).toEqual({ answered: false, detail: 'ECONNREFUSED' });
    expect(await probeReadiness(closed.url, peer)).toEqual({ state: 'unreachable', detail: 'ECONNREFUSED' });
    expect(await probeReadiness(server.url, peer)).toEqual({ state: 'healthy', instance: 'orders-0' });
  });
});
