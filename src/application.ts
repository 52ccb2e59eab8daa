/**
 * @module The shop, as the framework sees it: every module and the public edge. Adding a
 * module means adding it here (`seam new module` does), nowhere else in the framework.
 */
import { shopEdge } from './api/edge.js';
import { defineApplication } from './host/application.js';
import { catalogModule } from './modules/catalog/module.js';
import { identityModule } from './modules/identity/module.js';
import { inventoryModule } from './modules/inventory/module.js';
import { notificationsModule } from './modules/notifications/module.js';
import { ordersModule } from './modules/orders/module.js';
import { paymentsModule } from './modules/payments/module.js';
import { shippingModule } from './modules/shipping/module.js';

export const application = defineApplication({
  name: 'shop',
  // In seeding order where modules do not depend on each other: inventory stocks the catalog's products.
  modules: [
    identityModule,
    catalogModule,
    inventoryModule,
    paymentsModule,
    shippingModule,
    ordersModule,
    notificationsModule,
  ],
  edge: shopEdge,
});
