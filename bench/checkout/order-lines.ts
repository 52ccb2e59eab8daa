/**
 * @module What order number `index` asks for, the same in both paths.
 */
import { itemsPerOrder } from './parameters.js';

export interface OrderLine {
  productId: string;
  quantity: number;
}

/** `itemsPerOrder` consecutive products, one of each, round the catalog. */
export const linesOf = (productIds: readonly string[], index: number): OrderLine[] =>
  Array.from({ length: itemsPerOrder }, (_, line) => ({ productId: productIds[(index * itemsPerOrder + line) % productIds.length]!, quantity: 1 }));
