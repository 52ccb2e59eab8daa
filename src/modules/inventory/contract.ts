/**
 * @module The inventory's public face: stock levels and reservations against them.
 *
 * `available` is what can still be sold: stock on hand less what reservations hold. A
 * reservation takes stock out of `available` until it is committed (sold) or released.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';

export const InsufficientStock = defineError('OUT_OF_STOCK', 'conflict', 'Not enough stock');
export const ReservationNotFound = defineError('RESERVATION_NOT_FOUND', 'not-found', 'Reservation not found');
export const ReservationExpired = defineError('RESERVATION_EXPIRED', 'conflict', 'The reservation expired and its stock was released');

const stockLevel = z.object({ productId: z.string(), available: z.number().int().nonnegative() });

export const reservationStatus = z.enum(['RESERVED', 'COMMITTED', 'RELEASED']);

const reservation = z.object({
  reservationId: z.string(),
  status: reservationStatus,
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int().positive() })),
  /** ISO 8601; after it an uncommitted reservation is released. */
  expiresAt: z.string(),
});

export type StockLevel = z.infer<typeof stockLevel>;
export type Reservation = z.infer<typeof reservation>;

export const inventoryContract = defineContract('inventory', 1, {
  methods: {
    /** Stock levels of the given products; a product never stocked has 0 available. */
    getStock: {
      summary: 'Gets stock levels',
      input: z.object({ productIds: z.array(z.string().min(1).max(100)).min(1).max(100) }),
      output: z.object({ items: z.array(stockLevel) }),
      errors: [],
      idempotent: true,
    },
    /** Sets how many units of a product are available (administrators). */
    setStock: {
      summary: 'Sets the available stock of a product',
      input: z.object({ productId: z.string().min(1).max(100), available: z.number().int().min(0).max(10_000_000) }),
      output: stockLevel,
      errors: [],
      idempotent: true,
    },
    /**
     * Reserves every line or none. The same reservation id again returns the first result,
     * so a retried or resumed checkout never reserves twice.
     */
    reserve: {
      summary: 'Reserves stock for an order, all lines or none',
      input: z.object({
        reservationId: z.string().min(1).max(100),
        items: z.array(z.object({ productId: z.string().min(1).max(100), quantity: z.number().int().min(1).max(10_000) })).min(1).max(100),
        ttlSeconds: z.number().int().min(1).max(86_400),
      }),
      output: reservation,
      errors: [InsufficientStock],
      idempotent: true,
    },
    /** Turns a reservation into a sale. */
    commit: {
      summary: 'Commits a reservation',
      input: z.object({ reservationId: z.string().min(1).max(100) }),
      output: reservation,
      errors: [ReservationNotFound, ReservationExpired],
      idempotent: true,
    },
    /**
     * Gives a reservation's stock back, whether reserved or already committed (a cancelled
     * sale). Releasing twice, or releasing what was never reserved, changes nothing.
     */
    release: {
      summary: 'Releases a reservation',
      input: z.object({ reservationId: z.string().min(1).max(100) }),
      output: z.object({ reservationId: z.string(), released: z.boolean() }),
      errors: [],
      idempotent: true,
    },
  },
});

export type InventoryApi = ContractApi<typeof inventoryContract>;
