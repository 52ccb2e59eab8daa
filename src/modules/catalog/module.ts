/**
 * @module Wires the catalog module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.js';
import { CatalogService } from './catalog.service.js';
import { catalogContract } from './contract.js';
import { ProductRepository } from './product.repository.js';
import { catalogSeed } from './seed.js';

export const catalogModule = defineModule({
  name: 'catalog',
  provides: catalogContract,
  requires: {},
  schema: 'catalog',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  seed: catalogSeed,
  create: ({ db }) => {
    const repository = new ProductRepository(db);
    return new CatalogService(repository, repository);
  },
});
