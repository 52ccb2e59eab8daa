/**
 * @module Order routes for customers: place (with an Idempotency-Key), list, read with
 * shipment tracking and current product details, cancel.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { validationFailed } from '../kernel/errors.js';
import { catalogContract, type CatalogApi } from '../modules/catalog/contract.js';
import { OrderNotCancellable, OrderNotFound, ordersContract, type Order, type OrdersApi } from '../modules/orders/contract.js';
import { ShipmentNotFound, shippingContract, type ShippingApi } from '../modules/shipping/contract.js';
import { authenticate, currentUser, type AuthEnv } from '../gateway/auth.js';
import { readJson } from '../gateway/body.js';
import { placeOrderBody } from './order-body.js';
import { shopStatuses } from './statuses.js';
import { detailedOrderExample, orderExample, orderRequestExample, ordersExample } from './examples.js';
import { describeOperation } from '../gateway/openapi/operation.js';
import { parseQuery, wholeNumberParam } from '../gateway/query.js';

export interface OrderRouteDeps {
  readonly orders: OrdersApi;
  readonly shipping: ShippingApi;
  readonly catalog: CatalogApi;
  readonly tokens: AccessTokens;
}

const listQuery = z.object({ limit: wholeNumberParam(1, 100) });

const idempotencyKeyOf = (header: string | undefined): string => {
  const key = header?.trim();
  if (!key || key.length > 200) {
    throw validationFailed([{ field: 'Idempotency-Key', message: 'send a unique key (1 to 200 characters) per order as the Idempotency-Key header' }], 'Invalid headers');
  }
  return key;
};

const order = ordersContract.methods.getOrder.output;
const orderLine = order.shape.items.element;
/** An order with each product as the catalog shows it now (null if it is gone) and its shipment's tracking. */
const detailedOrder = order.extend({
  items: z.array(orderLine.extend({ product: catalogContract.methods.getProduct.output.pick({ name: true, category: true }).nullable() })),
  shipment: shippingContract.methods.getShipment.output.pick({ id: true, status: true, service: true, trackingNumber: true, events: true }).nullable(),
});
const orderPath = { id: 'The order id' };

const statusOf = (order: Order): 200 | 201 | 202 => (order.status === 'CONFIRMED' ? 201 : order.status === 'PENDING' ? 202 : 200);

export const orderRoutes = ({ orders, shipping, catalog, tokens }: OrderRouteDeps): Hono<AuthEnv> => {
  const routes = new Hono<AuthEnv>();
  routes.use('/orders/*', authenticate(tokens));
  routes.use('/orders', authenticate(tokens));

  /** The order with its shipment's tracking and each product as the catalog shows it now. */
  const detailed = async (order: Order): Promise<z.infer<typeof detailedOrder>> => {
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

  routes.post(
    '/orders',
    describeOperation({
      operationId: 'placeOrder',
      examplePath: '/orders',
      tag: 'Orders',
      summary: 'Places an order and runs checkout',
      description:
        'Reserves the stock, charges the card and creates the shipment. If checkout has not ended within the deadline the answer is 202 ' +
        'with the order PENDING, and it finishes in the background (GET /orders/{id} tells how). The same Idempotency-Key again ' +
        'answers the first order, as it is now, and creates nothing.',
      access: 'signed-in',
      idempotencyKey: true,
      body: { schema: placeOrderBody, example: orderRequestExample },
      answers: {
        200: { description: 'The order this Idempotency-Key placed before, which has since been cancelled', schema: order, example: { ...orderExample, status: 'CANCELLED' } },
        201: { description: 'Checkout finished: the order is CONFIRMED', schema: order, example: orderExample },
        202: { description: 'Checkout goes on in the background: the order is PENDING', schema: order, example: { ...orderExample, status: 'PENDING', shipmentId: null } },
      },
      errors: ordersContract.methods.placeOrder.errors,
      statuses: shopStatuses,
    }),
    async (c) => {
      const idempotencyKey = idempotencyKeyOf(c.req.header('idempotency-key'));
      const body = await readJson(c, placeOrderBody);
      const placed = await orders.placeOrder({ ...body, userId: currentUser(c).userId, idempotencyKey });
      return c.json(placed, statusOf(placed));
    },
  );

  routes.get(
    '/orders',
    describeOperation({
      operationId: 'listOrders',
      examplePath: '/orders',
      tag: 'Orders',
      summary: "Lists the signed-in customer's orders, newest first",
      access: 'signed-in',
      query: listQuery,
      answers: { 200: { description: 'At most `limit` (default 50) orders', schema: ordersContract.methods.listOrders.output, example: ordersExample } },
      errors: [],
    }),
    async (c) => {
      const query = parseQuery(listQuery, c.req.query());
      return c.json(await orders.listOrders({ userId: currentUser(c).userId, limit: query.limit ?? 50 }));
    },
  );

  routes.get(
    '/orders/:id',
    describeOperation({
      operationId: 'getOrder',
      examplePath: `/orders/${orderExample.id}`,
      tag: 'Orders',
      summary: 'Gets one of your orders, with shipment tracking',
      description: "Another customer's order is answered as not found.",
      access: 'signed-in',
      path: orderPath,
      answers: { 200: { description: 'The order, each product as the catalog shows it now, and the shipment', schema: detailedOrder, example: detailedOrderExample } },
      errors: [OrderNotFound, ShipmentNotFound],
    }),
    async (c) => c.json(await detailed(await orders.getOrder({ userId: currentUser(c).userId, orderId: c.req.param('id') }))),
  );

  routes.post(
    '/orders/:id/cancel',
    describeOperation({
      operationId: 'cancelOrder',
      examplePath: `/orders/${orderExample.id}/cancel`,
      tag: 'Orders',
      summary: 'Cancels an order that has not been dispatched',
      description: 'Releases its stock and refunds the payment.',
      access: 'signed-in',
      path: orderPath,
      answers: { 200: { description: 'The order, CANCELLED', schema: order, example: { ...orderExample, status: 'CANCELLED', cancellationReason: 'cancelled by the customer' } } },
      errors: [OrderNotFound, OrderNotCancellable],
    }),
    async (c) => c.json(await orders.cancelOrder({ userId: currentUser(c).userId, orderId: c.req.param('id') })),
  );

  return routes;
};
