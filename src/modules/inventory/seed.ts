/**
 * @module Stocks every catalog product with a sample quantity, the same on every run.
 */
import { createHash } from 'node:crypto';
import type { ModuleSeed } from '../../kernel/module.js';
import { catalogContract } from '../catalog/contract.js';
import { StockRepository } from './stock.repository.js';

/** 5 to 54 units, derived from the product id so re-seeding gives the same shelves. */
const sampleQuantity = (productId: string): number => 5 + (createHash('sha1').update(productId).digest()[0]! % 50);

export const inventorySeed: ModuleSeed = {
  requires: [catalogContract],
  isEmpty: (db) => new StockRepository(db).isEmpty(),
  async run(db, logger, resolve) {
    const catalog = resolve(catalogContract);
    const stock = new StockRepository(db);
    let stocked = 0;
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page += 1) {
      const { items, nextCursor } = await catalog.listProducts({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      const known = new Set((await stock.levels(items.map((product) => product.id))).filter((level) => level.available > 0).map((level) => level.productId));
      for (const product of items) {
        if (known.has(product.id)) continue;
        await stock.set(product.id, sampleQuantity(product.id));
        stocked += 1;
      }
      if (nextCursor === null) break;
      cursor = nextCursor;
    }
    logger.info({ products: stocked }, 'inventory seeded');
    return stocked;
  },
};
