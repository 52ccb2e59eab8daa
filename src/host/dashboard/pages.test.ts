import { describe, expect, it } from 'vitest';
import { application } from '../../application.js';
import { monolithTopology } from '../topology.js';
import { dashboardAccessOf } from './access.js';
import { architectureBody } from './architecture.page.js';
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
    expect(page).toContain('name="access_token"');
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
