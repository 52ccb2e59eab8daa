/**
 * @module The catalog's implementation of its contract.
 */
import { randomUUID } from 'node:crypto';
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import { isUuid } from '../../kernel/validation.js';
import { CategoryNotFound, ProductNotFound, SkuTaken, type catalogContract, type CatalogApi, type Product } from './contract.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isUniqueViolation, type ProductReader, type ProductRepository, type ProductValues } from './product.repository.js';

type Input<M extends keyof CatalogApi> = MethodInput<typeof catalogContract, M>;
type Output<M extends keyof CatalogApi> = Promise<MethodOutput<typeof catalogContract, M>>;

export class CatalogService implements CatalogApi {
  /** `writer` is optional so read-only uses (benchmarks, read replicas) can omit it. */
  constructor(
    private readonly products: ProductReader,
    private readonly writer?: ProductRepository,
  ) {}

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

  async getProductsByIds(input: Input<'getProductsByIds'>): Output<'getProductsByIds'> {
    return { items: await this.products.findByIds(input.ids.filter(isUuid)) };
  }

  async createProduct(input: Input<'createProduct'>): Output<'createProduct'> {
    const { categorySlug, ...fields } = input;
    const id = randomUUID();
    const categoryId = await this.#categoryId(categorySlug);
    await this.#write(() => this.#repository().insert(id, { ...fields, categoryId }));
    return this.#mustFind(id);
  }

  async updateProduct(input: Input<'updateProduct'>): Output<'updateProduct'> {
    if (!isUuid(input.id)) throw ProductNotFound.create(`No product with id ${input.id}`, { productId: input.id });
    const { categorySlug, ...fields } = input.changes;
    const changes: Partial<ProductValues> = categorySlug === undefined ? fields : { ...fields, categoryId: await this.#categoryId(categorySlug) };
    // Nothing to change still answers with the product, or PRODUCT_NOT_FOUND from #mustFind.
    const updated = Object.keys(changes).length === 0 || (await this.#write(() => this.#repository().update(input.id, changes)));
    if (!updated) throw ProductNotFound.create(`No product with id ${input.id}`, { productId: input.id });
    return this.#mustFind(input.id);
  }

  async listCategories(): Output<'listCategories'> {
    return { items: await this.products.categories() };
  }

  async #categoryId(slug: string): Promise<string> {
    const id = await this.#repository().categoryIdOf(slug);
    if (id === undefined) throw CategoryNotFound.create(`No category ${slug}`, { errors: [{ field: 'categorySlug', message: 'no such category' }] });
    return id;
  }

  /** Runs a write, turning a taken SKU into SKU_TAKEN. */
  async #write<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw SkuTaken.create('Another product has this SKU', { errors: [{ field: 'sku', message: 'already taken' }] });
      throw error;
    }
  }

  #repository(): ProductRepository {
    if (!this.writer) throw new Error('This catalog service was built read-only');
    return this.writer;
  }

  async #mustFind(id: string): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw ProductNotFound.create(`No product with id ${id}`, { productId: id });
    return product;
  }
}
