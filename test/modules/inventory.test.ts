/**
 * Inventory through its contract, on PGlite and a real PostgreSQL: reservations are all or
 * nothing, idempotent, and stock never goes negative, also under concurrent checkouts.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/kernel/database.js';
import { inventoryContract, type InventoryApi } from '../../src/modules/inventory/contract.js';
import { InventoryService } from '../../src/modules/inventory/inventory.service.js';
import { inventoryModule } from '../../src/modules/inventory/module.js';
import { StockRepository } from '../../src/modules/inventory/stock.repository.js';
import { databaseBackends } from '../support/database-backends.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

describe.each(databaseBackends)('inventory on $name', (backend) => {
  let running: TestHost;
  let release: () => Promise<void>;
  let inventory: InventoryApi;

  beforeAll(async () => {
    const prepared = await backend.prepare();
    release = prepared.release;
    running = await startTestHost([inventoryModule], prepared.env);
    inventory = running.host.api(inventoryContract);
  });
  afterAll(async () => {
    await running?.stop();
    await release?.();
  });

  const product = async (available: number): Promise<string> => {
    const id = randomUUID();
    await inventory.setStock({ productId: id, available });
    return id;
  };
  const availableOf = async (productId: string): Promise<number> => (await inventory.getStock({ productIds: [productId] })).items[0]!.available;

  it('reports 0 for a product never stocked', async () => {
    expect(await inventory.getStock({ productIds: ['never-stocked'] })).toEqual({ items: [{ productId: 'never-stocked', available: 0 }] });
  });

  it('reserves every line or none, naming the short products', async () => {
    const plenty = await product(10);
    const scarce = await product(1);
    const error = await inventory
      .reserve({ reservationId: randomUUID(), items: [{ productId: plenty, quantity: 3 }, { productId: scarce, quantity: 2 }], ttlSeconds: 60 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'OUT_OF_STOCK', kind: 'conflict', details: { productIds: [scarce] } });
    expect(await availableOf(plenty)).toBe(10);
    expect(await availableOf(scarce)).toBe(1);
  });

  it('sums repeated lines for the same product', async () => {
    const id = await product(5);
    const reservation = await inventory.reserve({ reservationId: randomUUID(), items: [{ productId: id, quantity: 2 }, { productId: id, quantity: 3 }], ttlSeconds: 60 });
    expect(reservation.items).toEqual([{ productId: id, quantity: 5 }]);
    expect(await availableOf(id)).toBe(0);
  });

  it('returns the first result for the same reservation id, reserving once', async () => {
    const id = await product(5);
    const reservationId = randomUUID();
    const first = await inventory.reserve({ reservationId, items: [{ productId: id, quantity: 2 }], ttlSeconds: 60 });
    const again = await Promise.all([1, 2, 3].map(() => inventory.reserve({ reservationId, items: [{ productId: id, quantity: 2 }], ttlSeconds: 60 })));
    expect(again.every((reservation) => reservation.reservationId === first.reservationId && reservation.status === 'RESERVED')).toBe(true);
    expect(await availableOf(id)).toBe(3);
  });

  it('commits, then gives the stock back on release, once', async () => {
    const id = await product(4);
    const reservationId = randomUUID();
    await inventory.reserve({ reservationId, items: [{ productId: id, quantity: 4 }], ttlSeconds: 60 });
    expect((await inventory.commit({ reservationId })).status).toBe('COMMITTED');
    expect((await inventory.commit({ reservationId })).status).toBe('COMMITTED');
    expect(await availableOf(id)).toBe(0);
    expect(await inventory.release({ reservationId })).toEqual({ reservationId, released: true });
    expect(await inventory.release({ reservationId })).toEqual({ reservationId, released: false });
    expect(await availableOf(id)).toBe(4);
    await expect(inventory.commit({ reservationId })).rejects.toMatchObject({ code: 'RESERVATION_EXPIRED' });
    await expect(inventory.commit({ reservationId: 'nope' })).rejects.toMatchObject({ code: 'RESERVATION_NOT_FOUND' });
    expect(await inventory.release({ reservationId: 'nope' })).toEqual({ reservationId: 'nope', released: false });
  });

  it('releases expired reservations, and only those', async () => {
    const id = await product(6);
    const expiring = randomUUID();
    const committed = randomUUID();
    await inventory.reserve({ reservationId: expiring, items: [{ productId: id, quantity: 2 }], ttlSeconds: 1 });
    await inventory.reserve({ reservationId: committed, items: [{ productId: id, quantity: 3 }], ttlSeconds: 1 });
    await inventory.commit({ reservationId: committed });
    const db = running.database.db;
    await db.execute(sql`update inventory.reservations set expires_at = now() - interval '1 minute' where id in (${expiring}, ${committed})`);
    // The sweeper's work, run once by hand rather than waiting for its timer.
    const sweeper = new InventoryService(db, new StockRepository(db));
    expect(await sweeper.releaseExpired()).toBeGreaterThanOrEqual(1);
    const rows = await selectRows<{ id: string; status: string }>(db, sql`select id, status from inventory.reservations where id in (${expiring}, ${committed})`);
    expect(Object.fromEntries(rows.map((row) => [row.id, row.status]))).toEqual({ [expiring]: 'RELEASED', [committed]: 'COMMITTED' });
    expect(await availableOf(id)).toBe(3);
    await expect(inventory.commit({ reservationId: expiring })).rejects.toMatchObject({ code: 'RESERVATION_EXPIRED' });
  });

  it('never sells more than there is: 50 concurrent one-unit reservations for 10 in stock', async () => {
    const id = await product(10);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () => inventory.reserve({ reservationId: randomUUID(), items: [{ productId: id, quantity: 1 }], ttlSeconds: 60 })),
    );
    const reserved = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(reserved).toHaveLength(10);
    expect(refused.every((outcome) => (outcome.reason as { code?: string }).code === 'OUT_OF_STOCK')).toBe(true);
    expect(await availableOf(id)).toBe(0);
  });

  it('reserves orders that share products in opposite orders concurrently without deadlock, overselling neither', async () => {
    const first = await product(15);
    const second = await product(15);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) => {
        const lines = [{ productId: first, quantity: 1 }, { productId: second, quantity: 1 }];
        return inventory.reserve({ reservationId: randomUUID(), items: n % 2 === 0 ? lines : lines.reverse(), ttlSeconds: 60 });
      }),
    );
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as { code?: string }).code] : []));
    expect(refusals).toEqual(Array.from({ length: 5 }, () => 'OUT_OF_STOCK'));
    expect([await availableOf(first), await availableOf(second)]).toEqual([0, 0]);
  });

  it('answers a repeated reservation with the first one even after the stock ran out, and takes nothing more', async () => {
    const id = await product(2);
    const reservationId = randomUUID();
    await inventory.reserve({ reservationId, items: [{ productId: id, quantity: 2 }], ttlSeconds: 60 });
    const again = await inventory.reserve({ reservationId, items: [{ productId: id, quantity: 2 }], ttlSeconds: 60 });
    expect(again).toMatchObject({ reservationId, status: 'RESERVED', items: [{ productId: id, quantity: 2 }] });
    expect(await availableOf(id)).toBe(0);
  });

  it('refuses a reservation naming a product never stocked, and takes nothing', async () => {
    const stocked = await product(3);
    const error = await inventory
      .reserve({ reservationId: randomUUID(), items: [{ productId: stocked, quantity: 1 }, { productId: 'never-stocked', quantity: 1 }], ttlSeconds: 60 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'OUT_OF_STOCK', details: { productIds: ['never-stocked'] } });
    expect(await availableOf(stocked)).toBe(3);
  });

  it('refuses to set a negative stock level at the boundary', async () => {
    await expect(inventory.setStock({ productId: 'p', available: -1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
