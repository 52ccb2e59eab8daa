/**
 * @module The catalog's public face: products and categories, read side.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';

export const ProductNotFound = defineError('PRODUCT_NOT_FOUND', 404, 'Product not found');
export const InvalidCursor = defineError('INVALID_CURSOR', 400, 'The cursor is not valid');

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
  /** ISO 8601 timestamp. */
  createdAt: z.string(),
});

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
