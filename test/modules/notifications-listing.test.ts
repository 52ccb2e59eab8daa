/**
 * Reading notifications through a ModuleHost on embedded PGlite and on a real PostgreSQL server
 * (notifications-host.ts): a user lists only their own, newest first and at most `limit`, and
 * GET /notifications serves the signed-in customer's and refuses a missing token or a bad limit.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { notificationsRoutes } from '../../src/api/notifications.routes.js';
import { errorTitles, problemResponse, toProblem } from '../../src/gateway/problem.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import { commonErrors, toSeamError } from '../../src/kernel/errors.js';
import { notificationsContract, type Notification } from '../../src/modules/notifications/contract.js';
import { databaseBackends } from '../support/database-backends.js';
import { notificationsHostOn } from './notifications-host.js';

describe.each(databaseBackends)('notifications module on $name', (backend) => {
  const host = notificationsHostOn(backend);
  const { publishOrderEvent, list } = host;

  it("lists only the user's own notifications, at most `limit`", async () => {
    const [ada, bob] = [`user-${randomUUID()}`, `user-${randomUUID()}`];
    for (const orderId of ['a1', 'a2', 'a3']) {
      await publishOrderEvent('OrderConfirmed', { orderId, userId: ada, totalCents: 100, currency: 'EUR' });
      // Notifications are dated by their event, to the millisecond; within one millisecond
      // their order is the order of arrival, which concurrent relay polls do not promise.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await publishOrderEvent('OrderConfirmed', { orderId: 'b1', userId: bob, totalCents: 100, currency: 'EUR' });
    await host.relay.drain();
    expect((await list(ada)).items.map((item) => item.body.split(' ')[1])).toEqual(['a3', 'a2', 'a1']);
    expect((await list(ada, 2)).items).toHaveLength(2);
    expect((await list(bob)).items.map((item) => item.userId)).toEqual([bob]);
  });

  describe('GET /notifications', () => {
    const tokens = accessTokens('a test secret of at least thirty-two characters', 300);

    const call = async (path: string, token?: string) => {
      const app = new Hono();
      const titles = errorTitles([notificationsContract], commonErrors);
      app.onError((error, c) => problemResponse(toProblem(toSeamError(error), { instance: c.req.path, titles })));
      app.route('/api/v1', notificationsRoutes(host.notifications, tokens));
      const response = await app.request(`/api/v1${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, unknown> };
    };

    it("serves the signed-in customer's notifications, and nobody else's", async () => {
      const userId = `user-${randomUUID()}`;
      // Delivered one at a time: the relay delivers several events at once, so two published
      // together may be written in either order, and "newest first" needs c2 written last.
      for (const orderId of ['c1', 'c2']) {
        await publishOrderEvent('OrderConfirmed', { orderId, userId, totalCents: 100, currency: 'EUR' });
        await host.relay.drain();
      }
      await publishOrderEvent('OrderConfirmed', { orderId: 'someone-else', userId: `user-${randomUUID()}`, totalCents: 100, currency: 'EUR' });
      await host.relay.drain();
      const { token } = await tokens.issue({ userId, email: 'grace@example.com', role: 'customer' });

      const all = await call('/notifications', token);
      expect(all).toMatchObject({ status: 200, cacheControl: 'private, no-store' });
      expect((all.body['items'] as Notification[]).map((item) => [item.userId, item.kind])).toEqual([
        [userId, 'order_confirmed'],
        [userId, 'order_confirmed'],
      ]);
      expect(((await call('/notifications?limit=1', token)).body['items'] as Notification[]).map((item) => item.body.split(' ')[1])).toEqual(['c2']);
    });

    it('answers 401 without a token and 400 naming limit for a bad limit', async () => {
      expect(await call('/notifications')).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
      const { token } = await tokens.issue({ userId: 'u', email: 'u@example.com', role: 'customer' });
      for (const limit of ['0', '101', 'ten']) {
        expect(await call(`/notifications?limit=${limit}`, token)).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must be a whole number from 1 to 100' }] },
        });
      }
    });
  });
});
