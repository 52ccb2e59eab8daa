/**
 * @module Loads the sample catalog; running it twice adds nothing the second time.
 */
import type { Database } from '../../kernel/database.js';
import type { Logger } from '../../kernel/logger.js';
import type { ModuleSeed } from '../../kernel/module.js';
import { ProductRepository } from './product.repository.js';
import { categories, products } from './schema.js';
import { seedCategories, seedProducts } from './seed-data.js';

export const catalogSeed: ModuleSeed = {
  isEmpty: (db: Database) => new ProductRepository(db).isEmpty(),
  async run(db: Database, logger: Logger) {
    const added = await db.transaction(async (tx) => {
      await tx.insert(categories).values([...seedCategories]).onConflictDoNothing();
      const inserted = await tx.insert(products).values([...seedProducts]).onConflictDoNothing().returning({ id: products.id });
      return inserted.length;
    });
    logger.info({ products: added, categories: seedCategories.length }, 'catalog seeded');
    return added;
  },
};
