/**
 * Who reaches the dashboard of a running shop: in development anyone, and `/` leads there;
 * in production (SEAM_DASHBOARD=on) only a request carrying an administrator's access token.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accessTokens } from '../../src/kernel/access-token.js';
import { startTestApp } from '../support/test-app.js';

const jwtSecret = `dashboard-access-${'s'.repeat(32)}`;

describe('dashboard access', () => {
  it('is open in development, where the home page leads to it', async () => {
    const app = await startTestApp({ NODE_ENV: 'development' });
    try {
      const home = await fetch(`${app.url}/`, { redirect: 'manual' });
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toBe('/_seam');
      const dashboard = await fetch(`${app.url}/_seam`);
      expect(dashboard.status).toBe(200);
      expect(dashboard.headers.get('content-type')).toContain('text/html');
    } finally {
      await app.stop();
    }
  });

  it('takes an administrator in production', async () => {
    const app = await startTestApp({ NODE_ENV: 'production', SEAM_DASHBOARD: 'on', JWT_SECRET: jwtSecret, SEAM_OPERATOR_TOKEN: 'o'.repeat(40) });
    try {
      const tokens = accessTokens(jwtSecret, 600);
      const as = async (role: string) => ({ authorization: `Bearer ${(await tokens.issue({ userId: randomUUID(), email: `${role}@example.com`, role })).token}` });
      expect((await fetch(`${app.url}/_seam/traces`)).status).toBe(401);
      expect((await fetch(`${app.url}/_seam/traces`, { headers: await as('customer') })).status).toBe(403);
      expect((await fetch(`${app.url}/_seam/traces`, { headers: await as('admin') })).status).toBe(200);
      expect((await fetch(`${app.url}/`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await app.stop();
    }
  });
});
