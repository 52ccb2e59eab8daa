/**
 * @module The catalog's implementation of its contract.
 */
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import { ProductNotFound, type catalogContract, type CatalogApi } from './contract.js';
import { decodeCursor, encodeCursor, isUuid } from './cursor.js';
import type { ProductReader } from './product.repository.js';

type Input<M extends keyof CatalogApi> = MethodInput<typeof catalogContract, M>;
type Output<M extends keyof CatalogApi> = Promise<MethodOutput<typeof catalogContract, M>>;

export class CatalogService implements CatalogApi {
  constructor(private readonly products: ProductReader) {}

  async listProducts(input: Input<'listProducts'>): Output<'listProducts'> {
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

  async getProduct(input: Input<'getProduct'>): Output<'getProduct'> {
    const product = isUuid(input.id) ? await this.products.findById(input.id) : undefined;
    if (!product) throw ProductNotFound.create(`No product with id ${input.id}`, { productId: input.id });
    return product;
  }

  async listCategories(): Output<'listCategories'> {
    return { items: await this.products.categories() };
  }
}
