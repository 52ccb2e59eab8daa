import { describe, expect, it } from 'vitest';
import { application } from '../../application.js';
import { monolithTopology } from '../topology.js';
import { dashboardAccessOf } from './access.js';
import { architectureBody } from './architecture.page.js';
import { instancesBody, selfStatus, serviceRowsOf } from './instances.page.js';
import { outboxBody } from './outbox.page.js';

const textOf = async (html: ReturnType<typeof outboxBody>): Promise<string> => (await html).toString();

describe('dashboard pages', () => {
  it('lists every module with its contract and the calls the declarations make', async () => {
    const topology = monolithTopology(
      application.modules.map((module) => module.name),
      application.name,
    );
    const page = await textOf(architectureBody(application, topology));
    for (const module of application.modules) {
      expect(page).toContain(`data-module="${module.name}"`);
      expect(page).toContain(module.provides.id);
    }
    expect(page).toContain('public edge');
  });

  it('escapes what a dead row’s error says', async () => {
    const page = await textOf(
      outboxBody([
        {
          module: 'orders',
          schema: 'orders',
          pending: 2,
          oldestPendingSeconds: 5,
          dead: [{ id: 'row-1', schema: 'orders', subscriber: 'notifications', eventType: 'orders/v1#OrderConfirmed', eventId: 'event-1', attempts: 8, lastError: '<script>alert(1)</script>' }],
        },
      ]),
    );
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;');
    expect(page).toContain('action="/_seam/outbox/replay"');
    expect(page).not.toContain('access_token');
  });
});

describe('dashboardAccessOf', () => {
  const access = (env: 'development' | 'test' | 'production', SEAM_DASHBOARD?: string) => dashboardAccessOf({ env, environment: SEAM_DASHBOARD === undefined ? {} : { SEAM_DASHBOARD } });

  it('is on for anyone in development, off elsewhere unless asked for, and for admins only in production', () => {
    expect(access('development')).toEqual({ enabled: true, viewers: 'anyone' });
    expect(access('development', 'off')).toEqual({ enabled: false });
    expect(access('test')).toEqual({ enabled: false });
    expect(access('test', 'on')).toEqual({ enabled: true, viewers: 'anyone' });
    expect(access('production')).toEqual({ enabled: false });
    expect(access('production', 'on')).toEqual({ enabled: true, viewers: 'admins' });
  });

  it('refuses a value other than on or off', () => {
    expect(() => access('production', 'yes')).toThrow(/SEAM_DASHBOARD: expected "on" or "off", got "yes"/);
  });
});

describe('the instances page', () => {
  const topology = monolithTopology(
    application.modules.map((module) => module.name),
    application.name,
  );
  const [shop] = topology.services;

  it('says every module runs in this process in a monolith, and whether it is ready', async () => {
    const self = selfStatus({ ready: false, checks: { database: 'unreachable' }, instance: 'shop-1' }, 'shop-1', 0);
    const page = await textOf(instancesBody(serviceRowsOf(topology, shop!, self, []), false, 0));
    expect(page).toContain('Every module runs in this process');
    expect(page).toContain('data-instance="shop-1" data-health="not ready"');
    expect(page).toContain('database: unreachable');
  });

  it('shows each remote instance’s health and the breakers towards its service', async () => {
    const split = { ...topology, services: [{ ...shop!, name: 'gateway', modules: [], gateway: true }, { ...shop!, name: 'catalog', modules: ['catalog'], gateway: false, replicas: 2 }] };
    const self = selfStatus({ ready: true, checks: {}, instance: 'gateway-0' }, 'gateway-0', 10_000);
    const page = await textOf(
      instancesBody(
        serviceRowsOf(split, split.services[0]!, self, [
          {
            service: 'catalog',
            instances: [
              { id: 'a', url: 'http://127.0.0.1:4001', name: 'catalog-0', lastSeenMs: 10_000, health: { state: 'healthy', instance: 'catalog-0' } },
              { id: 'b', url: 'http://127.0.0.1:4002', name: 'catalog-1', lastSeenMs: 4_000, health: { state: 'gone', detail: 'no longer listed by discovery' } },
            ],
            breakers: [{ contract: 'catalog/v1', state: 'half-open' }],
          },
        ]),
        true,
        10_000,
      ),
    );
    expect(page).toContain('data-service="catalog" data-url="http://127.0.0.1:4001" data-instance="catalog-0" data-health="healthy"');
    expect(page).toContain('data-url="http://127.0.0.1:4002" data-instance="catalog-1" data-health="gone"');
    expect(page).toContain('last listed 6 s ago');
    expect(page).toContain('data-breaker="catalog/v1">half-open');
  });

  it('lists this process first in its own service, then the other replicas discovery found', async () => {
    const split = { ...topology, services: [{ ...shop!, name: 'gateway', modules: [], gateway: true, replicas: 2 }] };
    const self = selfStatus({ ready: true, checks: {}, instance: 'gateway-0' }, 'gateway-0', 0);
    const replica = { id: 'g1', url: 'http://127.0.0.1:4101', name: 'gateway-1', lastSeenMs: 0, health: { state: 'healthy', instance: 'gateway-1' } } as const;
    const [row] = serviceRowsOf(split, split.services[0]!, self, [{ service: 'gateway', instances: [replica], breakers: [] }]);
    expect(row?.instances.map((instance) => instance.name)).toEqual(['gateway-0', 'gateway-1']);
    const page = await textOf(instancesBody([row!], true, 0));
    expect(page).toContain('data-service="gateway" data-url="this process" data-instance="gateway-0" data-health="healthy"');
    expect(page).toContain('data-service="gateway" data-url="http://127.0.0.1:4101" data-instance="gateway-1" data-health="healthy"');
  });
});
