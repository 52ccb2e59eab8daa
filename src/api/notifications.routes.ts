/**
 * @module Notification routes: what the signed-in customer has been told.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { notificationsContract, type NotificationsApi } from '../modules/notifications/contract.js';
import { authenticate, currentUser } from '../gateway/auth.js';
import { notificationsExample } from './examples.js';
import { describeOperation } from '../gateway/openapi/operation.js';
import { parseQuery, wholeNumberParam } from '../gateway/query.js';

const listQuery = z.object({ limit: wholeNumberParam(1, 100) });

const defaultLimit = 50;

export const notificationsRoutes = (notifications: NotificationsApi, tokens: AccessTokens): Hono => {
  const routes = new Hono();

  routes.get(
    '/notifications',
    describeOperation({
      operationId: 'listNotifications',
      examplePath: '/notifications',
      tag: 'Notifications',
      summary: "Lists the signed-in customer's notifications, newest first",
      access: 'signed-in',
      query: listQuery,
      answers: { 200: { description: `At most \`limit\` (default ${defaultLimit}) notifications`, schema: notificationsContract.methods.listNotifications.output, example: notificationsExample } },
      errors: [],
    }),
    authenticate(tokens),
    async (c) => {
      const query = parseQuery(listQuery, c.req.query());
      const page = await notifications.listNotifications({ userId: currentUser(c).userId, limit: query.limit ?? defaultLimit });
      // One customer's messages: no shared cache may keep them.
      c.header('cache-control', 'private, no-store');
      return c.json(page);
    },
  );

  return routes;
};
