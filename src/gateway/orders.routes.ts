/**
 * @module Order routes for customers: place (with an Idempotency-Key), list, read with
 * shipment tracking and current product details, cancel.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { validationFailed } from '../kernel/errors.js';
import type { CatalogApi } from '../modules/catalog/contract.js';
import { ordersContract, type Order, type OrdersApi } from '../modules/orders/contract.js';
import type { ShippingApi } from '../modules/shipping/contract.js';
import { authenticate, currentUser, type AuthEnv } from './auth.js';
import { readJson } from './body.js';
import { parseQuery, wholeNumberParam } from './query.js';

export interface OrderRouteDeps {
  readonly orders: OrdersApi;
  readonly shipping: ShippingApi;
  readonly catalog: CatalogApi;
  readonly tokens: AccessTokens;
}

/** What people type, tidied where the meaning is plain: "de" is DE, "4242 4242 ..." is the number. */
const tidy = (body: unknown): unknown => {
  if (typeof body !== 'object' || body === null) return body;
  const { shippingAddress, payment } = body as { shippingAddress?: unknown; payment?: unknown };
  const address = shippingAddress as { country?: unknown } | undefined;
  const card = payment as { cardNumber?: unknown } | undefined;
  return {
    ...body,
    ...(typeof address === 'object' && address !== null && typeof address.country === 'string'
      ? { shippingAddress: { ...address, country: address.country.trim().toUpperCase() } }
      : {}),
    ...(typeof card === 'object' && card !== null && typeof card.cardNumber === 'string'
      ? { payment: { ...card, cardNumber: card.cardNumber.replace(/[\s-]/g, '') } }
      : {}),
  };
};

const placeOrderBody = z.preprocess(tidy, ordersContract.methods.placeOrder.input.omit({ userId: true, idempotencyKey: true }));
const listQuery = z.object({ limit: wholeNumberParam(1, 100) });

const idempotencyKeyOf = (header: string | undefined): string => {
  const key = header?.trim();
  if (!key || key.length > 200) {
    throw validationFailed([{ field: 'Idempotency-Key', message: 'send a unique key (1 to 200 characters) per order as the Idempotency-Key header' }], 'Invalid headers');
  }
  return key;
};

const statusOf = (order: Order): 200 | 201 | 202 => (order.status === 'CONFIRMED' ? 201 : order.status === 'PENDING' ? 202 : 200);

export const orderRoutes = ({ orders, shipping, catalog, tokens }: OrderRouteDeps): Hono<AuthEnv> => {
  const routes = new Hono<AuthEnv>();
  routes.use('/orders/*', authenticate(tokens));
  routes.use('/orders', authenticate(tokens));

  /** The order with its shipment's tracking and each product as the catalog shows it now. */
  const detailed = async (order: Order) => {
    const [shipment, products] = await Promise.all([
      order.shipmentId ? shipping.getShipment({ shipmentId: order.shipmentId }) : Promise.resolve(null),
      catalog.getProductsByIds({ ids: order.items.map((item) => item.productId) }),
    ]);
    const byId = new Map(products.items.map((product) => [product.id, product]));
    return {
      ...order,
      items: order.items.map((item) => {
        const product = byId.get(item.productId);
        return { ...item, product: product ? { name: product.name, category: product.category } : null };
      }),
      shipment: shipment && { id: shipment.id, status: shipment.status, service: shipment.service, trackingNumber: shipment.trackingNumber, events: shipment.events },
    };
  };

  routes.post('/orders', async (c) => {
    const idempotencyKey = idempotencyKeyOf(c.req.header('idempotency-key'));
    const body = await readJson(c, placeOrderBody);
    const order = await orders.placeOrder({ ...body, userId: currentUser(c).userId, idempotencyKey });
    return c.json(order, statusOf(order));
  });

  routes.get('/orders', async (c) => {
    const query = parseQuery(listQuery, c.req.query());
    return c.json(await orders.listOrders({ userId: currentUser(c).userId, limit: query.limit ?? 50 }));
  });

  routes.get('/orders/:id', async (c) => c.json(await detailed(await orders.getOrder({ userId: currentUser(c).userId, orderId: c.req.param('id') }))));

  routes.post('/orders/:id/cancel', async (c) =>
    c.json(await orders.cancelOrder({ userId: currentUser(c).userId, orderId: c.req.param('id') })),
  );

  return routes;
};
