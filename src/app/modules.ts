/**
 * @module Every module of the shop. Adding a module means adding it here, nowhere else.
 */
import type { AnyModule } from '../kernel/module.js';
import { catalogModule } from '../modules/catalog/module.js';
import { identityModule } from '../modules/identity/module.js';
import { inventoryModule } from '../modules/inventory/module.js';
import { notificationsModule } from '../modules/notifications/module.js';
import { ordersModule } from '../modules/orders/module.js';
import { paymentsModule } from '../modules/payments/module.js';
import { shippingModule } from '../modules/shipping/module.js';

/** In seeding order where modules do not depend on each other: inventory stocks the catalog's products. */
export const allModules: readonly AnyModule[] = [
  identityModule,
  catalogModule,
  inventoryModule,
  paymentsModule,
  shippingModule,
  ordersModule,
  notificationsModule,
];
