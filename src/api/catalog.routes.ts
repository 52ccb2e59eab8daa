/**
 * @module Catalog routes: browse products (with the stock available, from inventory) and
 * categories; administrators add and change products.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { CategoryNotFound, catalogContract, InvalidCursor, ProductNotFound, SkuTaken, type CatalogApi, type Product } from '../modules/catalog/contract.js';
import type { InventoryApi } from '../modules/inventory/contract.js';
import { authenticate } from '../gateway/auth.js';
import { isUnavailable } from '../gateway/degraded.js';
import { readJson } from '../gateway/body.js';
import { categoriesExample, newProductExample, productChangesExample, productExample, productPageExample } from './examples.js';
import { describeOperation } from '../gateway/openapi/operation.js';
import { parseQuery, slugParam, textParam, wholeNumberParam } from '../gateway/query.js';

export interface CatalogRouteDeps {
  readonly catalog: CatalogApi;
  readonly inventory: InventoryApi;
  readonly tokens: AccessTokens;
}

const listProductsQuery = z.object({
  q: textParam(200),
  category: slugParam(),
  limit: wholeNumberParam(1, 100),
  cursor: textParam(512),
});

const createBody = catalogContract.methods.createProduct.input;
const updateBody = catalogContract.methods.updateProduct.input.shape.changes;

const defaultPageSize = 20;

const product = catalogContract.methods.getProduct.output;
/** A product as the public API shows it: with the units available now, null when inventory could not say. */
const productWithStock = product.extend({ available: z.number().int().nonnegative().nullable() });
const productPage = z.object({ items: z.array(productWithStock), nextCursor: z.string().nullable() });
const productPath = { id: 'The product id' };

export const catalogRoutes = ({ catalog, inventory, tokens }: CatalogRouteDeps): Hono => {
  const routes = new Hono();
  const admin = authenticate(tokens, { role: 'admin' });

  /**
   * Products with the units available now, one inventory call per page. When inventory cannot
   * answer, browsing goes on with `available: null` (unknown) rather than failing the page.
   */
  const withStock = async <P extends Product>(products: readonly P[]): Promise<(P & { available: number | null })[]> => {
    if (products.length === 0) return [];
    let levels: Map<string, number> | undefined;
    try {
      const { items } = await inventory.getStock({ productIds: products.map((product) => product.id) });
      levels = new Map(items.map((level) => [level.productId, level.available]));
    } catch (error) {
      if (!isUnavailable(error)) throw error;
    }
    return products.map((product) => ({ ...product, available: levels ? (levels.get(product.id) ?? 0) : null }));
  };
  const oneWithStock = async (product: Product) => (await withStock([product]))[0];

  routes.get(
    '/products',
    describeOperation({
      operationId: 'listProducts',
      examplePath: '/products',
      tag: 'Catalog',
      summary: 'Lists products by name, a page at a time',
      description: 'Filter by a search text (`q`) and a category slug; pass `nextCursor` as `cursor` for the next page.',
      access: 'public',
      query: listProductsQuery,
      answers: { 200: { description: 'A page of products, with the units available now', schema: productPage, example: productPageExample } },
      errors: [InvalidCursor],
    }),
    async (c) => {
      const query = parseQuery(listProductsQuery, c.req.query());
      const page = await catalog.listProducts({
        limit: query.limit ?? defaultPageSize,
        ...(query.q === undefined ? {} : { q: query.q }),
        ...(query.category === undefined ? {} : { category: query.category }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return c.json({ items: await withStock(page.items), nextCursor: page.nextCursor });
    },
  );

  routes.get(
    '/products/:id',
    describeOperation({
      operationId: 'getProduct',
      examplePath: `/products/${productExample.id}`,
      tag: 'Catalog',
      summary: 'Gets one product, with the units available now',
      access: 'public',
      path: productPath,
      answers: { 200: { description: 'The product', schema: productWithStock, example: productExample } },
      errors: [ProductNotFound],
    }),
    async (c) => c.json(await oneWithStock(await catalog.getProduct({ id: c.req.param('id') }))),
  );

  routes.post(
    '/products',
    describeOperation({
      operationId: 'createProduct',
      examplePath: '/products',
      tag: 'Catalog',
      summary: 'Creates a product',
      access: 'admin',
      body: { schema: createBody, example: newProductExample },
      answers: { 201: { description: 'The product created', schema: productWithStock, example: productExample } },
      errors: [SkuTaken, CategoryNotFound],
    }),
    admin,
    async (c) => c.json(await oneWithStock(await catalog.createProduct(await readJson(c, createBody))), 201),
  );

  routes.patch(
    '/products/:id',
    describeOperation({
      operationId: 'updateProduct',
      examplePath: `/products/${productExample.id}`,
      tag: 'Catalog',
      summary: 'Changes some fields of a product',
      description: 'Send only the fields to change.',
      access: 'admin',
      path: productPath,
      body: { schema: updateBody, example: productChangesExample },
      answers: { 200: { description: 'The product as changed', schema: productWithStock, example: productExample } },
      errors: [ProductNotFound, SkuTaken, CategoryNotFound],
    }),
    admin,
    async (c) => c.json(await oneWithStock(await catalog.updateProduct({ id: c.req.param('id'), changes: await readJson(c, updateBody) }))),
  );

  routes.get(
    '/categories',
    describeOperation({
      operationId: 'listCategories',
      examplePath: '/categories',
      tag: 'Catalog',
      summary: 'Lists every category, by name',
      access: 'public',
      answers: { 200: { description: 'Every category', schema: catalogContract.methods.listCategories.output, example: categoriesExample } },
      errors: [],
    }),
    async (c) => c.json(await catalog.listCategories({})),
  );

  return routes;
};
