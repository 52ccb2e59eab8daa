/**
 * @module The shop's public edge: the contracts its routes call, the routes under /api/v1,
 * the one status more precise than its kind's, and the words atop the API reference.
 *
 * The routes get their APIs from `requires` and from nowhere else, and the host derives from
 * it what the gateway service may call in a split deployment, so a route that needs one more
 * contract must add it here, and the permission follows.
 */
import { Hono } from 'hono';
import { defineEdge } from '../gateway/public-edge.js';
import { catalogContract } from '../modules/catalog/contract.js';
import { identityContract } from '../modules/identity/contract.js';
import { inventoryContract } from '../modules/inventory/contract.js';
import { notificationsContract } from '../modules/notifications/contract.js';
import { ordersContract } from '../modules/orders/contract.js';
import { shippingContract } from '../modules/shipping/contract.js';
import { catalogRoutes } from './catalog.routes.js';
import { identityRoutes } from './identity.routes.js';
import { inventoryRoutes } from './inventory.routes.js';
import { notificationsRoutes } from './notifications.routes.js';
import { orderRoutes } from './orders.routes.js';
import { shippingRoutes } from './shipping.routes.js';
import { shopStatusByCode } from './statuses.js';

export const shopEdge = defineEdge({
  requires: {
    catalog: catalogContract,
    identity: identityContract,
    inventory: inventoryContract,
    notifications: notificationsContract,
    orders: ordersContract,
    shipping: shippingContract,
  },
  routes: ({ catalog, identity, inventory, notifications, orders, shipping }, { tokens, logins }) =>
    new Hono()
      .route('/', catalogRoutes({ catalog, inventory, tokens }))
      .route('/', identityRoutes(identity, tokens, logins))
      .route('/', inventoryRoutes(inventory, catalog, tokens))
      .route('/', shippingRoutes(shipping, tokens))
      .route('/', orderRoutes({ orders, shipping, catalog, tokens }))
      .route('/', notificationsRoutes(notifications, tokens)),
  statusByCode: shopStatusByCode,
  routeLimits: [
    // Per address: signing up and in are where guessing and account farming happen.
    { name: 'auth', path: '/auth/*', per: 'address', defaultRule: '60/60' },
    { name: 'register', method: 'POST', path: '/auth/register', per: 'address', defaultRule: '20/3600', counts: (response) => response.status === 201 },
    // Per user: a checkout is the costliest request there is.
    { name: 'orders', method: 'POST', path: '/orders', per: 'user', defaultRule: '120/60' },
  ],
  documentation: {
    title: 'Seam shop API',
    description: "The Seam shop's public REST API.",
    tags: [
      { name: 'Catalog', description: 'Products and categories' },
      { name: 'Identity', description: 'Accounts and sign-in' },
      { name: 'Orders', description: "The signed-in customer's orders" },
      { name: 'Shipping', description: 'Rates and shipments' },
      { name: 'Inventory', description: 'Stock administration' },
      { name: 'Notifications', description: 'What the signed-in customer has been told' },
    ],
  },
});
