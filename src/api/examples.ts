/**
 * @module Example requests and answers for the OpenAPI document. They are only illustrations,
 * but test/gateway/openapi.test.ts parses each one with the schema it illustrates, so an
 * example that no longer fits its route fails a test rather than misleading a reader.
 */
const productId = '5a1f0c2e-7b3d-5e4f-8a6b-9c0d1e2f3a4b';
const userId = '3c9d2e1f-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
const orderId = '8e7d6c5b-4a39-4281-b7c6-d5e4f3a2b1c0';
const shipmentId = '1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b';
const at = '2025-03-14T09:26:53.589Z';

const category = { slug: 'kitchen', name: 'Kitchen' };

export const productExample = {
  id: productId,
  sku: 'KIT-CHEF-KNIFE-01',
  name: 'Chef Knife',
  description: 'A 20 cm chef knife of stainless steel.',
  priceCents: 4990,
  currency: 'EUR',
  category,
  weightGrams: 250,
  createdAt: at,
  available: 12,
};

export const productPageExample = { items: [productExample], nextCursor: null };

export const categoriesExample = { items: [category] };

export const newProductExample = {
  sku: 'KIT-PEPPER-MILL-02',
  name: 'Pepper Mill',
  description: 'A beech pepper mill with a ceramic grinder.',
  priceCents: 2490,
  currency: 'EUR',
  categorySlug: 'kitchen',
  weightGrams: 400,
};

export const productChangesExample = { priceCents: 4490 };

const user = { id: userId, email: 'ada@example.com', name: 'Ada Lovelace', role: 'customer', createdAt: at };

export const userExample = user;
export const registrationExample = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };
export const credentialsExample = { email: 'ada@example.com', password: 'correct horse battery staple' };
export const sessionExample = { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIzYzlkIn0.c2lnbmF0dXJl', expiresIn: 900, user };

export const stockBodyExample = { available: 25 };
export const stockLevelExample = { productId, available: 25 };

const address = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };
const line = { productId, name: 'Chef Knife', quantity: 2, unitPriceCents: 4990, lineTotalCents: 9980 };

export const orderRequestExample = {
  items: [{ productId, quantity: 2 }],
  shippingAddress: address,
  payment: { cardNumber: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
};

export const orderExample = {
  id: orderId,
  userId,
  status: 'CONFIRMED',
  items: [line],
  itemsCents: 9980,
  shippingCents: 590,
  totalCents: 10570,
  currency: 'EUR',
  shippingAddress: address,
  shipmentId,
  paymentLast4: '4242',
  cancellationReason: null,
  createdAt: at,
  updatedAt: at,
};

export const ordersExample = { items: [orderExample] };

const trackingEvents = [{ status: 'CREATED', at }];

export const detailedOrderExample = {
  ...orderExample,
  items: [{ ...line, product: { name: 'Chef Knife', category } }],
  shipment: { id: shipmentId, status: 'CREATED', service: 'standard', trackingNumber: 'SEAM0000000042', events: trackingEvents },
};

export const ratesExample = {
  rates: [
    { service: 'standard', priceCents: 590, currency: 'EUR', estimatedDays: 3 },
    { service: 'express', priceCents: 1290, currency: 'EUR', estimatedDays: 1 },
  ],
};

export const shipmentExample = {
  id: shipmentId,
  orderId,
  userId,
  status: 'DISPATCHED',
  service: 'standard',
  trackingNumber: 'SEAM0000000042',
  address,
  weightGrams: 500,
  events: [...trackingEvents, { status: 'DISPATCHED', at }],
  createdAt: at,
};

export const notificationsExample = {
  items: [{ id: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901', userId, kind: 'order_confirmed', title: 'Order confirmed', body: 'Your order of 105.70 EUR is confirmed.', createdAt: at }],
};
