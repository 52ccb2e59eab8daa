/**
 * @module The inventory's implementation of its contract.
 */
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import type { Database } from '../../kernel/database.js';
import { InsufficientStock, ReservationExpired, ReservationNotFound, type inventoryContract, type InventoryApi } from './contract.js';
import { toReservation, type ReservationLine, type StockRepository } from './stock.repository.js';

type Input<M extends keyof InventoryApi> = MethodInput<typeof inventoryContract, M>;
type Output<M extends keyof InventoryApi> = Promise<MethodOutput<typeof inventoryContract, M>>;

/** One line per product, quantities summed, in product order (as the reservation keeps them). */
const normalise = (items: readonly ReservationLine[]): ReservationLine[] => {
  const totals = new Map<string, number>();
  for (const item of items) totals.set(item.productId, (totals.get(item.productId) ?? 0) + item.quantity);
  return [...totals].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
};

export class InventoryService implements InventoryApi {
  constructor(
    private readonly db: Database,
    private readonly stock: StockRepository,
  ) {}

  async getStock(input: Input<'getStock'>): Output<'getStock'> {
    return { items: await this.stock.levels([...new Set(input.productIds)]) };
  }

  async setStock(input: Input<'setStock'>): Output<'setStock'> {
    return this.stock.set(input.productId, input.available);
  }

  async reserve(input: Input<'reserve'>): Output<'reserve'> {
    const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
    const outcome = await this.stock.reserve(input.reservationId, normalise(input.items), expiresAt);
    switch (outcome.kind) {
      case 'reserved':
        return toReservation(outcome.row);
      case 'short':
        throw InsufficientStock.create(`Not enough stock for ${outcome.productIds.join(', ')}`, { productIds: outcome.productIds });
      case 'raced': {
        // A concurrent reserve with the same id inserted first: its result is ours.
        const winner = await this.stock.findReservation(input.reservationId);
        if (!winner) throw new Error(`reservation ${input.reservationId} vanished while reserving it`);
        return toReservation(winner);
      }
    }
  }

  async commit(input: Input<'commit'>): Output<'commit'> {
    const id = input.reservationId;
    // Ends by the second round: a reservation leaves RESERVED once, to COMMITTED or RELEASED.
    for (;;) {
      const committed = await this.stock.commitReserved(id);
      if (committed) return toReservation(committed);
      const existing = await this.stock.findReservation(id);
      if (!existing) throw ReservationNotFound.create(`No reservation ${id}`, { reservationId: id });
      if (existing.status === 'RELEASED') throw ReservationExpired.create(`Reservation ${id} was released`, { reservationId: id });
      // Past its expiry but not yet swept still holds its stock, so committing it is sound.
      if (existing.status === 'COMMITTED') return toReservation(existing);
      // RESERVED: it was made after the update above looked; commit it now.
    }
  }

  async release(input: Input<'release'>): Output<'release'> {
    const released = await this.#release(input.reservationId, () => true);
    return { reservationId: input.reservationId, released };
  }

  /** Releases reservations whose time ran out; returns how many. */
  async releaseExpired(limit = 100): Promise<number> {
    let count = 0;
    for (const id of await this.stock.expired(limit)) {
      // Re-checked under the row lock: a commit may have landed since the scan.
      const stillExpired = (row: { status: string; expiresAt: Date }) => row.status === 'RESERVED' && row.expiresAt.getTime() < Date.now();
      if (await this.#release(id, stillExpired)) count += 1;
    }
    return count;
  }

  async #release(id: string, shouldRelease: (row: { status: string; expiresAt: Date }) => boolean): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const existing = await this.stock.lockReservation(tx, id);
      if (!existing || existing.status === 'RELEASED' || !shouldRelease(existing)) return false;
      for (const line of existing.items) await this.stock.giveBack(tx, line);
      await this.stock.setStatus(tx, existing.id, 'RELEASED');
      return true;
    });
  }
}
