/**
 * @module Stock administration: set how many units of a product can be sold.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { ProductNotFound, type CatalogApi } from '../modules/catalog/contract.js';
import { inventoryContract, type InventoryApi } from '../modules/inventory/contract.js';
import { authenticate } from '../gateway/auth.js';
import { readJson } from '../gateway/body.js';
import { productExample, stockBodyExample, stockLevelExample } from './examples.js';
import { describeOperation } from '../gateway/openapi/operation.js';

const stockBody = z.object({ available: z.number().int('must be a whole number').min(0, 'must not be negative').max(10_000_000, 'must be at most 10000000') });

export const inventoryRoutes = (inventory: InventoryApi, catalog: CatalogApi, tokens: AccessTokens): Hono => {
  const routes = new Hono();
  routes.put(
    '/inventory/:productId',
    describeOperation({
      operationId: 'setStock',
      examplePath: `/inventory/${productExample.id}`,
      tag: 'Inventory',
      summary: 'Sets how many units of a product can be sold',
      access: 'admin',
      path: { productId: 'The product id, as the catalog knows it' },
      body: { schema: stockBody, example: stockBodyExample },
      answers: { 200: { description: 'The stock level now', schema: inventoryContract.methods.setStock.output, example: stockLevelExample } },
      errors: [ProductNotFound],
    }),
    authenticate(tokens, { role: 'admin' }),
    async (c) => {
      const { available } = await readJson(c, stockBody);
      // Stock for a product the catalog does not know would be unsellable: 404 instead.
      const product = await catalog.getProduct({ id: c.req.param('productId') });
      return c.json(await inventory.setStock({ productId: product.id, available }));
    },
  );
  return routes;
};
