/**
 * One test body per contract, two bindings (parity-bindings.ts), for the catalog, identity
 * and inventory contracts: called in process and through bindRemote, each must give the same
 * results and raise the same errors (code, kind, message and details).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { seedProducts } from '../../src/modules/catalog/seed-data.js';
import { identityContract } from '../../src/modules/identity/contract.js';
import { inventoryContract } from '../../src/modules/inventory/contract.js';
import { failureOf } from '../support/remote-shop.js';
import { parityShop, unknownUuid } from './parity-bindings.js';

const { local, bindings } = parityShop();

describe.each(bindings)('the shop’s contracts $name', (binding) => {
  const tag = () => `${binding.name.split(' ')[0]}-${randomUUID().slice(0, 8)}`;

  describe('catalog', () => {
    const catalog = () => binding.api(catalogContract);

    it('pages through products with the same results', async () => {
      const first = await catalog().listProducts({ limit: 3 });
      expect(first.items).toHaveLength(3);
      const second = await catalog().listProducts({ limit: 3, cursor: first.nextCursor! });
      expect(second.items[0]!.name >= first.items[2]!.name).toBe(true);
      expect(first).toEqual(await local(catalogContract).listProducts({ limit: 3 }));
      expect(await catalog().listCategories({})).toEqual(await local(catalogContract).listCategories({}));
    });

    it('gets a product and several by id', async () => {
      const product = await catalog().getProduct({ id: seedProducts[5]!.id });
      expect(product).toMatchObject({ id: seedProducts[5]!.id, sku: seedProducts[5]!.sku });
      const many = await catalog().getProductsByIds({ ids: [seedProducts[1]!.id, 'unknown'] });
      expect(many.items.map((item) => item.id)).toEqual([seedProducts[1]!.id]);
    });

    it('raises PRODUCT_NOT_FOUND with its code, kind, message and details', async () => {
      expect(await failureOf(catalog().getProduct({ id: unknownUuid }))).toEqual({
        code: 'PRODUCT_NOT_FOUND',
        kind: 'not-found',
        message: `No product with id ${unknownUuid}`,
        details: { productId: unknownUuid },
      });
    });

    it('reports a bad cursor as INVALID_CURSOR naming the field', async () => {
      expect(await failureOf(catalog().listProducts({ limit: 2, cursor: 'garbage' }))).toEqual({
        code: 'INVALID_CURSOR',
        kind: 'invalid',
        message: 'cursor: not a cursor this API issued; use nextCursor from a previous page',
        details: { errors: [{ field: 'cursor', message: 'not a cursor this API issued' }] },
      });
    });

    it('rejects input that breaks the contract with VALIDATION_FAILED naming the field', async () => {
      const error = await failureOf(catalog().listProducts({ limit: 0 }));
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', kind: 'invalid', details: { errors: [{ field: 'limit' }] } });
      expect(error.message).toMatch(/^catalog\/v1\.listProducts input: limit:/);
    });

    it('creates a product; SKU_TAKEN for its SKU again, CATEGORY_NOT_FOUND for an unknown category', async () => {
      const fields = { sku: `PARITY-${tag()}`.toUpperCase(), name: 'Parity Teapot', description: 'Pours the same either way', priceCents: 2500, currency: 'EUR', categorySlug: 'kitchen', weightGrams: 800 };
      const product = await catalog().createProduct(fields);
      expect(product).toEqual({ id: expect.any(String), sku: fields.sku, name: fields.name, description: fields.description, priceCents: 2500, currency: 'EUR', category: { slug: 'kitchen', name: 'Kitchen' }, weightGrams: 800, createdAt: expect.any(String) });
      expect(await local(catalogContract).getProduct({ id: product.id })).toEqual(product);
      expect(await failureOf(catalog().createProduct(fields))).toEqual({
        code: 'SKU_TAKEN',
        kind: 'conflict',
        message: 'Another product has this SKU',
        details: { errors: [{ field: 'sku', message: 'already taken' }] },
      });
      expect(await failureOf(catalog().createProduct({ ...fields, sku: `${fields.sku}-2`, categorySlug: 'no-such-category' }))).toEqual({
        code: 'CATEGORY_NOT_FOUND',
        kind: 'refused',
        message: 'No category no-such-category',
        details: { errors: [{ field: 'categorySlug', message: 'no such category' }] },
      });
    });
  });

  describe('identity', () => {
    const identity = () => binding.api(identityContract);

    it('registers an account under its lower-cased email, once: EMAIL_TAKEN for the same email', async () => {
      const email = `Parity.${tag()}@Example.COM`;
      const user = await identity().register({ email, password: 'correct horse battery', name: 'Ada Parity' });
      expect(user).toEqual({ id: expect.any(String), email: email.toLowerCase(), name: 'Ada Parity', role: 'customer', createdAt: expect.any(String) });
      expect(await failureOf(identity().register({ email: email.toLowerCase(), password: 'another password', name: 'Ada Again' }))).toEqual({
        code: 'EMAIL_TAKEN',
        kind: 'conflict',
        message: `${email.toLowerCase()} is already registered`,
        details: { email: email.toLowerCase() },
      });
    });

    it('signs in and reads the profile; INVALID_CREDENTIALS for a wrong password, USER_NOT_FOUND for an unknown id', async () => {
      const email = `parity.${tag()}@example.com`;
      const user = await local(identityContract).register({ email, password: 'correct horse battery', name: 'Grace Parity' });
      const session = await identity().login({ email, password: 'correct horse battery' });
      expect(session).toEqual({ token: expect.any(String), expiresIn: expect.any(Number), user });
      expect(await identity().getProfile({ userId: user.id })).toEqual(user);
      expect(await failureOf(identity().login({ email, password: 'wrong horse battery' }))).toEqual({ code: 'INVALID_CREDENTIALS', kind: 'unauthenticated', message: 'The email or password is wrong' });
      expect(await failureOf(identity().getProfile({ userId: unknownUuid }))).toEqual({
        code: 'USER_NOT_FOUND',
        kind: 'not-found',
        message: `No user with id ${unknownUuid}`,
        details: { userId: unknownUuid },
      });
    });
  });

  describe('inventory', () => {
    const inventory = () => binding.api(inventoryContract);

    it('sets stock, reserves all lines or none (OUT_OF_STOCK), and commits a reservation once', async () => {
      const productId = `parity-${tag()}`;
      expect(await inventory().setStock({ productId, available: 5 })).toEqual({ productId, available: 5 });
      expect(await failureOf(inventory().reserve({ reservationId: randomUUID(), items: [{ productId, quantity: 6 }], ttlSeconds: 600 }))).toEqual({
        code: 'OUT_OF_STOCK',
        kind: 'conflict',
        message: `Not enough stock for ${productId}`,
        details: { productIds: [productId] },
      });
      const reservationId = randomUUID();
      const reserved = await inventory().reserve({ reservationId, items: [{ productId, quantity: 2 }], ttlSeconds: 600 });
      expect(reserved).toEqual({ reservationId, status: 'RESERVED', items: [{ productId, quantity: 2 }], expiresAt: expect.any(String) });
      expect(await inventory().reserve({ reservationId, items: [{ productId, quantity: 2 }], ttlSeconds: 600 })).toEqual(reserved);
      expect(await inventory().commit({ reservationId })).toEqual({ ...reserved, status: 'COMMITTED' });
      expect(await inventory().getStock({ productIds: [productId, `never-${productId}`] })).toEqual({
        items: [
          { productId, available: 3 },
          { productId: `never-${productId}`, available: 0 },
        ],
      });
    });

    it('raises RESERVATION_NOT_FOUND for an unknown reservation, and releases one that never was without complaint', async () => {
      const reservationId = `nope-${tag()}`;
      expect(await failureOf(inventory().commit({ reservationId }))).toEqual({
        code: 'RESERVATION_NOT_FOUND',
        kind: 'not-found',
        message: `No reservation ${reservationId}`,
        details: { reservationId },
      });
      expect(await inventory().release({ reservationId })).toEqual({ reservationId, released: false });
    });
  });
});
