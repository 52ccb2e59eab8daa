/**
 * The shop as a customer and an administrator use it, over HTTP: browse, order (declined,
 * then paid), retry with the same key, ship, get notified, cancel. The same tests run against
 * the monolith (embedded PGlite, a PostgreSQL server) and the split topology, where every
 * service is its own process and calls and events cross the network. Every answer, errors
 * included, must conform to the OpenAPI document the shop serves at /api/v1/openapi.json.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { servedResponseValidator } from '../support/openapi-responses.js';
import { orderBody, ShopClient, testCards } from '../support/shop-client.js';
import { shopDeployments, type RunningShop } from '../support/shop-deployments.js';

const adminPassword = 'journey-admin-password';

interface Product {
  id: string;
  name: string;
  available: number;
  priceCents: number;
}
interface Order {
  id: string;
  status: string;
  totalCents: number;
  shipmentId: string | null;
  items: { productId: string; quantity: number }[];
}

/** Polls `probe` until it returns a value, for effects that travel through the outbox. */
const eventually = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe.each(shopDeployments)('shop journey on $name', (deployment) => {
  let app: RunningShop;
  let anonymous: ShopClient;
  let admin: ShopClient;
  let customer: ShopClient;

  beforeAll(async () => {
    app = await deployment.start({ ADMIN_PASSWORD: adminPassword });
    anonymous = new ShopClient(app.url).checkedBy(await servedResponseValidator(app.url));
    admin = await anonymous.signIn('admin@seam.local', adminPassword);
    customer = await anonymous.signIn(`shopper-${randomUUID()}@example.com`);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const stockOf = async (productId: string): Promise<number> => (await anonymous.get<Product>(`/products/${productId}`)).body.available;

  /** A fresh product with `available` units, so tests do not share stock. */
  const stockedProduct = async (available: number): Promise<Product> => {
    const created = await admin.post<Product>('/products', {
      sku: `T-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: 'Journey Lamp',
      description: 'A lamp for tests',
      priceCents: 2500,
      currency: 'EUR',
      categorySlug: 'home',
      weightGrams: 800,
    });
    expect(created.status).toBe(201);
    expect((await admin.request('PUT', `/inventory/${created.body.id}`, { available })).status).toBe(200);
    return created.body;
  };

  it('lets anyone browse products with their stock, and admins only change them', async () => {
    const page = await anonymous.get<{ items: Product[] }>('/products?limit=5');
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(5);
    expect(page.body.items.every((product) => Number.isInteger(product.available) && product.available > 0)).toBe(true);
    expect((await customer.post('/products', { sku: 'NOPE-1' })).status).toBe(403);
    expect((await anonymous.post('/products', { sku: 'NOPE-1' })).status).toBe(401);
    const product = await stockedProduct(3);
    const renamed = await admin.request<Product>('PATCH', `/products/${product.id}`, { name: 'Journey Lamp II', priceCents: 2600 });
    expect(renamed).toMatchObject({ status: 200, body: { name: 'Journey Lamp II', priceCents: 2600, available: 3 } });
  });

  it('quotes shipping rates', async () => {
    const rates = await anonymous.get<{ rates: { service: string; priceCents: number }[] }>('/shipping/rates?country=FR&weightGrams=1200');
    expect(rates.status).toBe(200);
    expect(rates.body.rates.map((rate) => rate.service).sort()).toEqual(['express', 'standard']);
  });

  it('runs the whole customer journey', async () => {
    const me = await customer.get<{ email: string; role: string }>('/me');
    expect(me).toMatchObject({ status: 200, body: { role: 'customer' } });
    const product = await stockedProduct(5);

    // A declined card: 402 naming the cancelled order, stock as before.
    const declined = await customer.post('/orders', orderBody([{ productId: product.id, quantity: 2 }], testCards.declined), { 'idempotency-key': randomUUID() });
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ code: 'PAYMENT_DECLINED', reason: 'card_declined', orderId: expect.any(String) });
    expect(await stockOf(product.id)).toBe(5);
    const cancelledOrder = await customer.get<Order>(`/orders/${String(declined.body['orderId'])}`);
    expect(cancelledOrder.body.status).toBe('CANCELLED');

    // A good card: 201 CONFIRMED, stock down by two.
    const key = randomUUID();
    const placed = await customer.post<Order>('/orders', orderBody([{ productId: product.id, quantity: 2 }]), { 'idempotency-key': key });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'CONFIRMED', currency: 'EUR', shipmentId: expect.any(String) });
    expect(placed.body.totalCents).toBeGreaterThan(2 * 2600);
    expect(await stockOf(product.id)).toBe(3);

    // The same key again: the same order, nothing new.
    const again = await customer.post<Order>('/orders', orderBody([{ productId: product.id, quantity: 2 }]), { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(placed.body.id);
    expect(await stockOf(product.id)).toBe(3);
    const mine = await customer.get<{ items: Order[] }>('/orders');
    expect(mine.body.items.filter((order) => order.id === placed.body.id)).toHaveLength(1);

    // The order, aggregated with its shipment's tracking.
    const detail = await customer.get<Order & { shipment: { status: string; events: unknown[] } }>(`/orders/${placed.body.id}`);
    expect(detail.body.shipment).toMatchObject({ status: 'CREATED' });

    // Admin dispatches the shipment; the customer hears of confirmation and dispatch.
    const advanced = await admin.post<{ status: string }>(`/shipments/${placed.body.shipmentId}/advance`);
    expect(advanced).toMatchObject({ status: 200, body: { status: 'DISPATCHED' } });
    expect((await customer.post(`/shipments/${placed.body.shipmentId}/advance`)).status).toBe(403);
    const kinds = await eventually(async () => {
      const notes = await customer.get<{ items: { kind: string }[] }>('/notifications');
      const seen = notes.body.items.map((note) => note.kind);
      return seen.includes('shipment_dispatched') && seen.includes('order_confirmed') ? seen : undefined;
    });
    expect(kinds.indexOf('shipment_dispatched')).toBeLessThan(kinds.indexOf('order_confirmed')); // newest first

    // Once dispatched, it cannot be cancelled.
    const tooLate = await customer.post(`/orders/${placed.body.id}/cancel`);
    expect(tooLate).toMatchObject({ status: 409, body: { code: 'ORDER_NOT_CANCELLABLE' } });

    // A fresh order, cancelled: stock back, payment refunded.
    const fresh = await customer.post<Order>('/orders', orderBody([{ productId: product.id, quantity: 1 }]), { 'idempotency-key': randomUUID() });
    expect(fresh.status).toBe(201);
    expect(await stockOf(product.id)).toBe(2);
    const cancelled = await customer.post<Order>(`/orders/${fresh.body.id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    expect(await stockOf(product.id)).toBe(3);
    const payment = await app.resolve(paymentsContract).getPaymentByOrder({ orderId: fresh.body.id });
    expect(payment).toMatchObject({ status: 'REFUNDED', refundedCents: fresh.body.totalCents });
    await eventually(async () => {
      const notes = await customer.get<{ items: { kind: string }[] }>('/notifications');
      return notes.body.items.some((note) => note.kind === 'order_cancelled') ? true : undefined;
    });
  });

  it("hides other customers' orders", async () => {
    const product = await stockedProduct(2);
    const placed = await customer.post<Order>('/orders', orderBody([{ productId: product.id, quantity: 1 }]), { 'idempotency-key': randomUUID() });
    const stranger = await anonymous.signIn(`stranger-${randomUUID()}@example.com`);
    expect((await stranger.get(`/orders/${placed.body.id}`)).status).toBe(404);
    expect((await stranger.post(`/orders/${placed.body.id}/cancel`)).status).toBe(404);
    expect((await stranger.get<{ items: Order[] }>('/orders')).body.items).toEqual([]);
  });

  it('refuses an order for more than is in stock, naming the product, and keeps the stock', async () => {
    const product = await stockedProduct(1);
    const refused = await customer.post('/orders', orderBody([{ productId: product.id, quantity: 2 }]), { 'idempotency-key': randomUUID() });
    expect(refused).toMatchObject({ status: 409, body: { code: 'OUT_OF_STOCK', productIds: [product.id] } });
    expect(await stockOf(product.id)).toBe(1);
  });

  it('confirms exactly as many of 50 parallel orders as there is stock, and never goes negative', async () => {
    const product = await stockedProduct(10);
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => customer.post<Order>('/orders', orderBody([{ productId: product.id, quantity: 1 }]), { 'idempotency-key': randomUUID() })),
    );
    const statuses = replies.map((reply) => reply.status);
    const odd = replies.filter((reply) => reply.status !== 201 && reply.status !== 409);
    expect(odd.map((reply) => reply.body)).toEqual([]);
    expect(replies.filter((reply) => reply.status === 409 && reply.body['code' as keyof Order] !== 'OUT_OF_STOCK').map((reply) => reply.body)).toEqual([]);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 409)).toHaveLength(40);
    expect(replies.filter((reply) => reply.status === 409).every((reply) => reply.body['code' as keyof Order] === 'OUT_OF_STOCK')).toBe(true);
    expect(await stockOf(product.id)).toBe(0);
  });
});
