/**
 * The gateway's view of the other services, against a real instance and a dead one: each
 * instance's readiness, the breakers towards its service, a trace's spans from the instance
 * that answers and the dead one named, not thrown; a dead instance keeps the name it gave.
 */
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
    const view = deploymentView({ topology, local: topology.services[0]!, discovery, breakers, credentials: serviceCredentials({ secret, service: 'gateway' }) });
    try {
      const before = await view.services();
      expect(before.map((service) => service.service)).toEqual(['catalog']);
      expect(before[0]!.breakers).toEqual([{ contract: 'catalog/v1', state: 'open' }]);
      expect(before[0]!.instances.map((instance) => [instance.name, instance.health.state])).toEqual(
        [alive, dying].sort((one, other) => one.url.localeCompare(other.url)).map((server) => [server === alive ? 'catalog-0' : 'catalog-1', 'healthy']),
      );

      await dying.close();
      const after = (await view.services())[0]!.instances.find((instance) => instance.url === dying.url);
      expect(after).toMatchObject({ name: 'catalog-1', health: { state: 'unreachable', detail: 'ECONNREFUSED' } });
      const trace = await view.traceSpans('f'.repeat(32));
      expect(trace).toEqual({ spans: [], unanswered: [{ service: 'catalog', url: dying.url, detail: 'ECONNREFUSED' }] });
    } finally {
      view.stop();
    }
  });
});
