/**
 * @module The shipping module's public face: rate quotes, one shipment per order, its progress,
 * and the events that say how it went.
 *
 * Orders' checkout saga creates the shipment (idempotent per order) and, when a later step
 * fails or the customer cancels, compensates with `cancelShipment`, which is safe to call
 * whatever happened before. Admins move a shipment along with `advanceShipment`.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';

/** We do not ship to that country. details: `{ country, errors: [{ field, message }] }`. */
export const UnsupportedCountry = defineError('UNSUPPORTED_COUNTRY', 'refused', 'We do not ship to that country');
/** Heavier than the largest parcel we carry. details: `{ maxWeightGrams, errors: [{ field: 'weightGrams', message }] }`. */
export const ParcelTooHeavy = defineError('PARCEL_TOO_HEAVY', 'refused', 'The parcel is too heavy to ship');
/** No shipment with that id, or none for that order. */
export const ShipmentNotFound = defineError('SHIPMENT_NOT_FOUND', 'not-found', 'Shipment not found');
/** The shipment is already delivered: there is no further step. details: `{ shipmentId, orderId }`. */
export const ShipmentAlreadyDelivered = defineError('SHIPMENT_ALREADY_DELIVERED', 'conflict', 'The shipment is already delivered');
/** The shipment was cancelled and goes nowhere. details: `{ shipmentId, orderId }`. */
export const ShipmentCancelled = defineError('SHIPMENT_CANCELLED', 'conflict', 'The shipment was cancelled');
/** The parcel has left (or arrived): too late to cancel. details: `{ shipmentId, orderId, status }`. */
export const ShipmentAlreadyDispatched = defineError('SHIPMENT_ALREADY_DISPATCHED', 'conflict', 'The shipment has already been dispatched');

export const shipmentStatuses = ['CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED'] as const;
export const shippingServices = ['standard', 'express'] as const;

/** The heaviest parcel we carry, in grams. */
export const maxWeightGrams = 30_000;

/** Ids of other modules' entities: opaque text, whatever those modules use. */
const foreignId = z.string().min(1).max(100);
/** ISO 3166-1 alpha-2, upper case. Whether we ship there is the service's call (UNSUPPORTED_COUNTRY). */
const country = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code in upper case');
/**
 * Whole grams, at least 1. The upper bound here is only the storage range: a parcel over
 * `maxWeightGrams` is a well-formed request we refuse (PARCEL_TOO_HEAVY), not malformed input.
 */
const weightGrams = z.number().int().min(1).max(2_147_483_647);
const status = z.enum(shipmentStatuses);
const service = z.enum(shippingServices);

const address = z.object({
  name: z.string().min(1).max(100),
  line1: z.string().min(1).max(200),
  city: z.string().min(1).max(100),
  postalCode: z.string().min(1).max(20),
  country,
});

const rate = z.object({
  service,
  priceCents: z.number().int().nonnegative(),
  currency: z.literal('EUR'),
  /** Working days from dispatch to delivery, as promised. */
  estimatedDays: z.number().int().positive(),
});

const trackingEvent = z.object({
  status,
  /** ISO 8601. */
  at: z.string(),
});

const shipment = z.object({
  id: z.string(),
  orderId: z.string(),
  userId: z.string(),
  status,
  service,
  trackingNumber: z.string(),
  address,
  weightGrams: z.number().int().positive(),
  /** Every status the shipment has had, oldest first; the last one is `status`. */
  events: z.array(trackingEvent),
  /** ISO 8601. */
  createdAt: z.string(),
});

const cancelled = z.object({ outcome: z.literal('CANCELLED'), shipment });
const noShipment = z.object({ outcome: z.literal('NO_SHIPMENT'), orderId: z.string() });

export type Shipment = z.infer<typeof shipment>;
export type ShipmentStatus = z.infer<typeof status>;
export type ShippingService = z.infer<typeof service>;
export type ShippingAddress = z.infer<typeof address>;
export type Rate = z.infer<typeof rate>;

export const shippingContract = defineContract('shipping', 1, {
  methods: {
    /**
     * What shipping a parcel of `weightGrams` to `country` costs, for each service. Raises
     * UNSUPPORTED_COUNTRY for a country we do not ship to and PARCEL_TOO_HEAVY above 30 kg.
     */
    quoteRates: {
      summary: 'Quotes shipping rates by destination and weight',
      input: z.object({ country, weightGrams }),
      output: z.object({ rates: z.array(rate) }),
      errors: [UnsupportedCountry, ParcelTooHeavy],
      idempotent: true,
    },
    /**
     * Creates the order's shipment, status CREATED. Idempotent per orderId: while the order
     * has a shipment (in any status, CANCELLED included), every further call returns it
     * unchanged and creates nothing, also when calls race; the first call's details win.
     */
    createShipment: {
      summary: 'Creates the shipment of an order, once per order',
      input: z.object({ orderId: foreignId, userId: foreignId, address, weightGrams, service }),
      output: shipment,
      errors: [UnsupportedCountry, ParcelTooHeavy],
      idempotent: true,
    },
    /** One shipment by id. */
    getShipment: {
      summary: 'Gets one shipment by id',
      input: z.object({ shipmentId: z.string().min(1).max(100) }),
      output: shipment,
      errors: [ShipmentNotFound],
      idempotent: true,
    },
    /** The shipment of an order. */
    getShipmentByOrder: {
      summary: 'Gets the shipment of an order',
      input: z.object({ orderId: foreignId }),
      output: shipment,
      errors: [ShipmentNotFound],
      idempotent: true,
    },
    /**
     * Moves a shipment one step: CREATED to DISPATCHED (publishes ShipmentDispatched), then
     * DISPATCHED to DELIVERED (publishes ShipmentDelivered). Not idempotent: each call is one
     * step, so a retry of a call that succeeded takes the next step.
     */
    advanceShipment: {
      summary: 'Moves a shipment to its next status',
      input: z.object({ shipmentId: z.string().min(1).max(100) }),
      output: shipment,
      errors: [ShipmentNotFound, ShipmentAlreadyDelivered, ShipmentCancelled],
      idempotent: false,
    },
    /**
     * Cancels the order's shipment unless it has been dispatched: `{ outcome: 'CANCELLED',
     * shipment }`, also when it was cancelled before; `{ outcome: 'NO_SHIPMENT', orderId }`
     * when the order has none. Raises SHIPMENT_ALREADY_DISPATCHED once it has left.
     */
    cancelShipment: {
      summary: "Cancels an order's shipment before dispatch",
      input: z.object({ orderId: foreignId }),
      output: z.discriminatedUnion('outcome', [cancelled, noShipment]),
      errors: [ShipmentAlreadyDispatched],
      idempotent: true,
    },
  },
  events: {
    ShipmentDispatched: {
      summary: 'The parcel has left the warehouse',
      payload: z.object({ shipmentId: z.string(), orderId: z.string(), userId: z.string(), trackingNumber: z.string() }),
    },
    ShipmentDelivered: {
      summary: 'The parcel has arrived',
      payload: z.object({ shipmentId: z.string(), orderId: z.string(), userId: z.string() }),
    },
  },
});

export type ShippingApi = ContractApi<typeof shippingContract>;
