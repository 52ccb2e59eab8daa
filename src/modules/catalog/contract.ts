/**
 * @module The catalog's public face: products and categories, to browse and to manage.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';

export const ProductNotFound = defineError('PRODUCT_NOT_FOUND', 'not-found', 'Product not found');
export const InvalidCursor = defineError('INVALID_CURSOR', 'invalid', 'The cursor is not valid');
export const SkuTaken = defineError('SKU_TAKEN', 'conflict', 'Another product has this SKU');
export const CategoryNotFound = defineError('CATEGORY_NOT_FOUND', 'refused', 'No such category');

const category = z.object({
  slug: z.string(),
  name: z.string(),
});

const product = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  priceCents: z.number().int().nonnegative(),
  /** ISO 4217 code, e.g. "EUR". */
  currency: z.string().length(3),
  category,
  /** Shipping weight of one unit. */
  weightGrams: z.number().int().positive(),
  /** ISO 8601 timestamp. */
  createdAt: z.string(),
});

const productFields = {
  sku: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,39}$/),
  name: z.string().min(1).max(200),
  description: z.string().max(2000),
  priceCents: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/),
  categorySlug: z.string().regex(/^[a-z0-9-]{1,64}$/),
  weightGrams: z.number().int().min(1).max(1_000_000),
};

export type Product = z.infer<typeof product>;
export type Category = z.infer<typeof category>;

export const catalogContract = defineContract('catalog', 1, {
  methods: {
    /** Products by name, optionally filtered by a search text and a category, a page at a time. */
    listProducts: {
      summary: 'Lists products ordered by name, a page at a time',
      input: z.object({
        /** Case-insensitive text to find in a product's name or description. */
        q: z.string().min(1).max(200).optional(),
        /** A category slug; an unknown one matches nothing. */
        category: z.string().min(1).max(64).optional(),
        limit: z.number().int().min(1).max(100),
        /** `nextCursor` from the previous page. */
        cursor: z.string().min(1).max(512).optional(),
      }),
      output: z.object({ items: z.array(product), nextCursor: z.string().nullable() }),
      errors: [InvalidCursor],
      idempotent: true,
    },
    /** One product by id. */
    getProduct: {
      summary: 'Gets one product by id',
      input: z.object({ id: z.string().min(1).max(100) }),
      output: product,
      errors: [ProductNotFound],
      idempotent: true,
    },
    /** Several products by id, for callers that price or show them; unknown ids are left out. */
    getProductsByIds: {
      summary: 'Gets several products by id',
      input: z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(100) }),
      output: z.object({ items: z.array(product) }),
      errors: [],
      idempotent: true,
    },
    /** Adds a product (administrators). */
    createProduct: {
      summary: 'Creates a product',
      input: z.object(productFields),
      output: product,
      errors: [SkuTaken, CategoryNotFound],
      idempotent: false,
    },
    /** Changes some fields of a product (administrators). */
    updateProduct: {
      summary: 'Updates a product',
      input: z.object({ id: z.string().min(1).max(100), changes: z.object(productFields).partial() }),
      output: product,
      errors: [ProductNotFound, SkuTaken, CategoryNotFound],
      idempotent: true,
    },
    /** Every category, by name. */
    listCategories: {
      summary: 'Lists every category',
      input: z.object({}),
      output: z.object({ items: z.array(category) }),
      errors: [],
      idempotent: true,
    },
  },
  events: {},
});

export type CatalogApi = ContractApi<typeof catalogContract>;
