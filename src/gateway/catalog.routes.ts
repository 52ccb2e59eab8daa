/**
 * @module Public catalog routes: browse products and categories.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { CatalogApi } from '../modules/catalog/contract.js';
import { parseQuery, slugParam, textParam, wholeNumberParam } from './query.js';

const listProductsQuery = z.object({
  q: textParam(200),
  category: slugParam(),
  limit: wholeNumberParam(1, 100),
  cursor: textParam(512),
});

const defaultPageSize = 20;

export const catalogRoutes = (catalog: CatalogApi): Hono => {
  const routes = new Hono();

  routes.get('/products', async (c) => {
    const query = parseQuery(listProductsQuery, c.req.query());
    const page = await catalog.listProducts({
      limit: query.limit ?? defaultPageSize,
      ...(query.q === undefined ? {} : { q: query.q }),
      ...(query.category === undefined ? {} : { category: query.category }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    return c.json(page);
  });

  routes.get('/products/:id', async (c) => c.json(await catalog.getProduct({ id: c.req.param('id') })));

  routes.get('/categories', async (c) => c.json(await catalog.listCategories({})));

  return routes;
};
