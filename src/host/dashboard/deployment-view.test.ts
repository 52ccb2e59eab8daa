/**
 * The gateway's view of the other services, against a real instance and a dead one: each
 * instance's readiness, the breakers towards its service, a trace's spans from the instance
 * that answers and the dead one named, not thrown; a dead instance keeps the name it gave.
 * And of the gateway's own other replicas: listed without this process (also once asking it
 * fails), their spans found.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../gateway/health.routes.js';
import { serviceCredentials } from '../../transport/http/service-credential.js';
import type { Discovery, ServiceInstance } from '../../transport/discovery/discovery.js';
import { breakerStates } from '../breaker-states.js';
import { listen, type HttpServer } from '../http-server.js';
import { SpanBuffer } from '../span-buffer.js';
import type { Topology } from '../topology.js';
import { deploymentView } from './deployment-view.js';
import { spansEndpoint } from './spans-endpoint.js';

const secret = 'd'.repeat(40);
const topology: Topology = {
  source: 'test',
  services: [
    { name: 'gateway', modules: [], gateway: true, replicas: 1 },
    { name: 'catalog', modules: ['catalog'], gateway: false, replicas: 2 },
  ],
};

describe('deploymentView', () => {
  let alive: HttpServer;
  let dying: HttpServer;
  const listed: ServiceInstance[] = [];
  const discovery: Discovery = { instances: (service) => (service === 'catalog' ? listed : []), close: async () => undefined };

  const serve = (instance: string) => {
    const spans = spansEndpoint({ service: 'catalog', instance, spans: new SpanBuffer(), credentials: serviceCredentials({ secret, service: 'catalog' }), readers: new Set(['gateway']) });
    return listen(spans.route('/', healthRoutes(async () => ({ ready: true, checks: {}, instance }))).fetch, '127.0.0.1', 0);
  };

  beforeAll(async () => {
    [alive, dying] = await Promise.all([serve('catalog-0'), serve('catalog-1')]);
    listed.push({ id: 'a', url: alive.url }, { id: 'b', url: dying.url });
  });
  afterAll(() => alive?.close());

  it('shows each instance’s health under the name it gave, and names the one that stops answering', async () => {
    const breakers = breakerStates();
    breakers.watch('catalog', { id: 'catalog/v1' }, () => 'open');
    const view = deploymentView({ topology, local: topology.services[0]!, instanceId: 'gateway-0', discovery, breakers, credentials: serviceCredentials({ secret, service: 'gateway' }) });
    try {
      const before = (await view.services()).filter((service) => service.service !== 'gateway');
      expect(before.map((service) => service.service)).toEqual(['catalog']);
      expect(before[0]!.breakers).toEqual([{ contract: 'catalog/v1', state: 'open' }]);
      expect(before[0]!.instances.map((instance) => [instance.name, instance.health.state])).toEqual(
        [alive, dying].sort((one, other) => one.url.localeCompare(other.url)).map((server) => [server === alive ? 'catalog-0' : 'catalog-1', 'healthy']),
      );

      await dying.close();
      const after = (await view.services()).find((service) => service.service === 'catalog')!.instances.find((instance) => instance.url === dying.url);
      expect(after).toMatchObject({ name: 'catalog-1', health: { state: 'unreachable', detail: 'ECONNREFUSED' } });
      const trace = await view.traceSpans('f'.repeat(32));
      expect(trace).toEqual({ spans: [], unanswered: [{ service: 'catalog', url: dying.url, detail: 'ECONNREFUSED' }] });
    } finally {
      view.stop();
    }
  });
});

describe('deploymentView of a gateway with replicas', () => {
  const servers: HttpServer[] = [];
  const listed: ServiceInstance[] = [];
  const discovery: Discovery = { instances: (service) => (service === 'gateway' ? listed : []), close: async () => undefined };
  const otherBuffer = new SpanBuffer();
  const tracer = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'gateway' }), sampler: new AlwaysOnSampler(), spanProcessors: [otherBuffer] }).getTracer('test');
  const served = tracer.startSpan('POST /api/v1/orders', { attributes: { 'http.route': '/api/v1/orders', 'seam.order.id': 'order-7' } });
  served.end();
  const traceId = served.spanContext().traceId;
  // The dashboard's own requests are no traffic to list.
  tracer.startSpan('GET /_seam/traces').end();

  /** A gateway instance as its peers reach it: readiness and the spans it keeps. */
  const gatewayInstance = (instance: string, spans: SpanBuffer) => {
    const endpoint = spansEndpoint({ service: 'gateway', instance, spans, credentials: serviceCredentials({ secret, service: 'gateway' }), readers: new Set(['gateway']) });
    return listen(endpoint.route('/', healthRoutes(async () => ({ ready: true, checks: {}, instance }))).fetch, '127.0.0.1', 0);
  };

  beforeAll(async () => {
    servers.push(await gatewayInstance('gateway-0', new SpanBuffer()), await gatewayInstance('gateway-1', otherBuffer));
    listed.push(...servers.map((server, index) => ({ id: `g${index}`, url: server.url })));
  });
  afterAll(() => Promise.all(servers.slice(1).map((server) => server.close())));

  it('lists the other replicas, not this one, and finds a trace and the latest requests among the spans a replica keeps', async () => {
    const view = deploymentView({ topology, local: topology.services[0]!, instanceId: 'gateway-0', discovery, breakers: breakerStates(), credentials: serviceCredentials({ secret, service: 'gateway' }) });
    try {
      const own = (await view.services()).find((service) => service.service === 'gateway');
      expect(own?.instances.map((instance) => [instance.name, instance.url, instance.health.state])).toEqual([['gateway-1', servers[1]!.url, 'healthy']]);
      const trace = await view.traceSpans(traceId);
      expect(trace.unanswered).toEqual([]);
      expect(trace.spans.map((span) => [span.name, span.spanId])).toEqual([['POST /api/v1/orders', served.spanContext().spanId]]);
      expect(await view.matchingTraces('order-7')).toEqual({ traceIds: new Set([traceId]), unanswered: [] });
      expect(await view.replicasRecentSpans()).toEqual({ spans: [expect.objectContaining({ name: 'POST /api/v1/orders', traceId })], unanswered: [] });

      // Once named by its readiness answer, this process stays out even when asking it fails.
      await servers[0]!.close();
      expect((await view.services()).find((service) => service.service === 'gateway')?.instances.map((instance) => instance.name)).toEqual(['gateway-1']);
      expect((await view.replicasRecentSpans()).unanswered).toEqual([]);
    } finally {
      view.stop();
    }
  });
});
