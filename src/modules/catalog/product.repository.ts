/**
 * @module Product and category queries. The only file of the catalog that writes SQL.
 */
import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { statement, type Database } from '../../kernel/database.js';
import type { Category, Product } from './contract.js';
import type { ProductKey } from './cursor.js';
import { categories, products } from './schema.js';

export interface ProductQuery {
  readonly text?: string;
  readonly categorySlug?: string;
  readonly after?: ProductKey;
  readonly limit: number;
}

/** A LIKE pattern that matches `text` literally, anywhere. */
const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

const productColumns = {
  id: products.id,
  sku: products.sku,
  name: products.name,
  description: products.description,
  priceCents: products.priceCents,
  currency: products.currency,
  weightGrams: products.weightGrams,
  createdAt: products.createdAt,
  categorySlug: categories.slug,
  categoryName: categories.name,
};

type ProductRow = {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  weightGrams: number;
  createdAt: Date;
  categorySlug: string;
  categoryName: string;
};

const toProduct = (row: ProductRow): Product => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  description: row.description,
  priceCents: row.priceCents,
  currency: row.currency,
  category: { slug: row.categorySlug, name: row.categoryName },
  weightGrams: row.weightGrams,
  createdAt: row.createdAt.toISOString(),
});

/** What the catalog service reads; the repository below is its PostgreSQL implementation. */
export interface ProductReader {
  list(query: ProductQuery): Promise<Product[]>;
  findById(id: string): Promise<Product | undefined>;
  findByIds(ids: readonly string[]): Promise<Product[]>;
  categories(): Promise<Category[]>;
}

/** The columns an administrator sets; the category by its slug's id. */
export interface ProductValues {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly categoryId: string;
  readonly weightGrams: number;
}

/** PostgreSQL's unique_violation, as both drivers report it. */
export const isUniqueViolation = (error: unknown): boolean => {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as { code?: unknown }).code === '23505') return true;
  }
  return false;
};

/**
 * Built once, for any number of ids (one array parameter, not a list of them): every order
 * prices its lines with it.
 */
const findByIds = statement<{ ids: string[] }>('catalog.find-by-ids')(
  (db, p) =>
    db
      .select(productColumns)
      .from(products)
      .innerJoin(categories, eq(products.categoryId, categories.id))
      .where(sql`${products.id} = any(${p.ids}::uuid[])`),
  productColumns,
);

export class ProductRepository implements ProductReader {
  constructor(private readonly db: Database) {}

  /** Products ordered by (name, id), after `query.after` when given. */
  async list(query: ProductQuery): Promise<Product[]> {
    const conditions: SQL[] = [];
    if (query.text !== undefined) {
      const pattern = containing(query.text);
      conditions.push(or(ilike(products.name, pattern), ilike(products.description, pattern)) as SQL);
    }
    if (query.categorySlug !== undefined) conditions.push(eq(categories.slug, query.categorySlug));
    if (query.after !== undefined) {
      conditions.push(sql`(${products.name}, ${products.id}) > (${query.after.name}, ${query.after.id}::uuid)`);
    }
    const rows = await this.db
      .select(productColumns)
      .from(products)
      .innerJoin(categories, eq(products.categoryId, categories.id))
      .where(and(...conditions))
      .orderBy(asc(products.name), asc(products.id))
      .limit(query.limit);
    return rows.map(toProduct);
  }

  async findById(id: string): Promise<Product | undefined> {
    const [row] = await this.db
      .select(productColumns)
      .from(products)
      .innerJoin(categories, eq(products.categoryId, categories.id))
      .where(eq(products.id, id))
      .limit(1);
    return row ? toProduct(row) : undefined;
  }

  async findByIds(ids: readonly string[]): Promise<Product[]> {
    if (ids.length === 0) return [];
    const rows = await findByIds.run(this.db, { ids: [...ids] });
    return rows.map(toProduct);
  }

  async categoryIdOf(slug: string): Promise<string | undefined> {
    const [row] = await this.db.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug)).limit(1);
    return row?.id;
  }

  /** Inserts a product; throws the driver's unique violation if the SKU is taken. */
  async insert(id: string, values: ProductValues): Promise<void> {
    await this.db.insert(products).values({ id, ...values });
  }

  /** Applies `changes`; false when no product has this id. */
  async update(id: string, changes: Partial<ProductValues>): Promise<boolean> {
    const updated = await this.db
      .update(products)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(products.id, id))
      .returning({ id: products.id });
    return updated.length > 0;
  }

  async categories(): Promise<Category[]> {
    return this.db.select({ slug: categories.slug, name: categories.name }).from(categories).orderBy(asc(categories.name));
  }

  async isEmpty(): Promise<boolean> {
    const [row] = await this.db.select({ id: products.id }).from(products).limit(1);
    return row === undefined;
  }
}
