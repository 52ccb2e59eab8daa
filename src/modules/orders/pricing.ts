/**
 * @module Turns the lines a customer asked for into priced order lines, from the catalog's
 * current prices, and the parcel weight shipping is quoted on.
 */
import type { Product } from '../catalog/contract.js';
import { MixedCurrencies, OrderTooLarge, UnknownProduct } from './contract.js';
import type { StoredLine } from './schema.js';

/**
 * The most the items of one order may cost, in cents. The total, shipping included, must fit
 * a PostgreSQL integer (the orders table and the payments contract, 2^31 - 1); no shipping
 * rate comes near the 147 million cents left over.
 */
export const maxItemsCents = 2_000_000_000;

export interface PricedOrder {
  readonly lines: StoredLine[];
  readonly itemsCents: number;
  readonly weightGrams: number;
  readonly currency: string;
}

/**
 * One line per product (quantities summed), priced; UNKNOWN_PRODUCT names every id not in
 * `products`, MIXED_CURRENCIES and ORDER_TOO_LARGE refuse what one payment cannot carry.
 */
export const priceLines = (requested: readonly { productId: string; quantity: number }[], products: readonly Product[]): PricedOrder => {
  const byId = new Map(products.map((product) => [product.id, product]));
  const quantities = new Map<string, number>();
  for (const line of requested) quantities.set(line.productId, (quantities.get(line.productId) ?? 0) + line.quantity);
  const unknown = [...quantities.keys()].filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw UnknownProduct.create(`No product with id ${unknown.join(', ')}`, {
      productIds: unknown,
      errors: unknown.map(() => ({ field: 'items.productId', message: 'no such product' })),
    });
  }
  const lines = [...quantities].map(([productId, quantity]) => {
    const product = byId.get(productId)!;
    return { productId, name: product.name, quantity, unitPriceCents: product.priceCents, lineTotalCents: product.priceCents * quantity };
  });
  const currencies = new Set([...quantities.keys()].map((id) => byId.get(id)!.currency));
  if (currencies.size > 1) {
    throw MixedCurrencies.create(`The products are priced in ${[...currencies].join(', ')}; order them separately`, {
      currencies: [...currencies],
      errors: [{ field: 'items', message: 'products priced in different currencies' }],
    });
  }
  const itemsCents = lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
  if (itemsCents > maxItemsCents) {
    throw OrderTooLarge.create(`The items cost ${itemsCents} cents, more than the ${maxItemsCents} one order may`, {
      maxItemsCents,
      errors: [{ field: 'items', message: `must cost at most ${maxItemsCents} cents in all` }],
    });
  }
  return {
    lines,
    itemsCents,
    weightGrams: [...quantities].reduce((sum, [id, quantity]) => sum + byId.get(id)!.weightGrams * quantity, 0),
    currency: [...currencies][0] ?? 'EUR',
  };
};
