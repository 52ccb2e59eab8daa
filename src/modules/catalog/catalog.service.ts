/**
 * @module The catalog's implementation of its contract.
 */
import { ProductNotFound, type CatalogApi } from './contract.js';
import { decodeCursor, encodeCursor, isUuid } from './cursor.js';
import type { ProductRepository } from './product.repository.js';

type Api = CatalogApi;

export class CatalogService implements Api {
  constructor(private readonly products: ProductRepository) {}

  async listProducts(input: Parameters<Api['listProducts']>[0]): ReturnType<Api['listProducts']> {
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await this.products.list({
      limit: input.limit + 1,
      ...(input.q === undefined ? {} : { text: input.q }),
      ...(input.category === undefined ? {} : { categorySlug: input.category }),
      ...(after === undefined ? {} : { after }),
    });
    const items = rows.slice(0, input.limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null };
  }

  async getProduct(input: Parameters<Api['getProduct']>[0]): ReturnType<Api['getProduct']> {
    const product = isUuid(input.id) ? await this.products.findById(input.id) : undefined;
    if (!product) throw ProductNotFound.create(`No product with id ${input.id}`, { productId: input.id });
    return product;
  }

  async listCategories(): ReturnType<Api['listCategories']> {
    return { items: await this.products.categories() };
  }
}
