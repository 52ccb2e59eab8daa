/**
 * @module The shipping module's implementation of its contract.
 */
import { randomUUID } from 'node:crypto';
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import type { EventPublisher } from '../../kernel/events.js';
import { isUuid } from '../../kernel/validation.js';
import {
  ShipmentAlreadyDelivered,
  ShipmentAlreadyDispatched,
  ShipmentCancelled,
  ShipmentNotFound,
  type shippingContract,
  type ShipmentStatus,
  type ShippingApi,
} from './contract.js';
import { quote, weightBand, zoneOf } from './rates.js';
import type { ShipmentRow, ShipmentStore } from './shipment.repository.js';

type Input<M extends keyof ShippingApi> = MethodInput<typeof shippingContract, M>;
type Output<M extends keyof ShippingApi> = Promise<MethodOutput<typeof shippingContract, M>>;

/**
 * "SM" and 12 hex digits: 48 random bits, so a clash (refused by a unique index) is out of reach.
 * The last 12 digits of a version 4 UUID are all random; randomUUID draws them from a buffer it
 * refills in bulk, where randomBytes asks the generator anew on every shipment.
 */
const newTrackingNumber = (): string => `SM${randomUUID().slice(-12).toUpperCase()}`;

const notFound = (what: string, details: Record<string, unknown>) => ShipmentNotFound.create(`No shipment ${what}`, details);

/** The status after CREATED → DISPATCHED → DELIVERED, or the error that says why there is none. */
const nextStatus = (current: ShipmentRow): ShipmentStatus => {
  const details = { shipmentId: current.id, orderId: current.orderId };
  switch (current.status) {
    case 'CREATED':
      return 'DISPATCHED';
    case 'DISPATCHED':
      return 'DELIVERED';
    case 'DELIVERED':
      throw ShipmentAlreadyDelivered.create(`Shipment ${current.id} is already delivered`, details);
    case 'CANCELLED':
      throw ShipmentCancelled.create(`Shipment ${current.id} was cancelled`, details);
  }
};

/** CANCELLED from CREATED; unchanged when already cancelled; refused once the parcel has left. */
const cancelledStatus = (current: ShipmentRow): ShipmentStatus | undefined => {
  if (current.status === 'CANCELLED') return undefined;
  if (current.status === 'CREATED') return 'CANCELLED';
  throw ShipmentAlreadyDispatched.create(`Shipment ${current.id} of order ${current.orderId} is ${current.status}: too late to cancel`, {
    shipmentId: current.id,
    orderId: current.orderId,
    status: current.status,
  });
};

export class ShippingService implements ShippingApi {
  constructor(
    private readonly shipments: ShipmentStore,
    private readonly events: EventPublisher<typeof shippingContract>,
  ) {}

  async quoteRates(input: Input<'quoteRates'>): Output<'quoteRates'> {
    return { rates: quote(input.country, input.weightGrams) };
  }

  async createShipment(input: Input<'createShipment'>): Output<'createShipment'> {
    // Refuse what we cannot carry before writing anything, naming the caller's fields.
    zoneOf(input.address.country, 'address.country');
    weightBand(input.weightGrams);
    const { shipment } = await this.shipments.createOnce({
      id: randomUUID(),
      orderId: input.orderId,
      userId: input.userId,
      service: input.service,
      trackingNumber: newTrackingNumber(),
      address: input.address,
      weightGrams: input.weightGrams,
    });
    return shipment;
  }

  async getShipment(input: Input<'getShipment'>): Output<'getShipment'> {
    // A malformed id cannot name a shipment; asking the uuid column would be a type error.
    const shipment = isUuid(input.shipmentId) ? await this.shipments.find({ id: input.shipmentId }) : undefined;
    if (!shipment) throw notFound(`with id ${input.shipmentId}`, { shipmentId: input.shipmentId });
    return shipment;
  }

  async getShipmentByOrder(input: Input<'getShipmentByOrder'>): Output<'getShipmentByOrder'> {
    const shipment = await this.shipments.find({ orderId: input.orderId });
    if (!shipment) throw notFound(`for order ${input.orderId}`, { orderId: input.orderId });
    return shipment;
  }

  async advanceShipment(input: Input<'advanceShipment'>): Output<'advanceShipment'> {
    const missing = () => notFound(`with id ${input.shipmentId}`, { shipmentId: input.shipmentId });
    if (!isUuid(input.shipmentId)) throw missing();
    const shipment = await this.shipments.change({ id: input.shipmentId }, nextStatus, async (tx, changed) => {
      // Published in the status change's transaction: the event exists exactly when the change does.
      const ids = { shipmentId: changed.id, orderId: changed.orderId, userId: changed.userId };
      if (changed.status === 'DISPATCHED') await this.events.publish(tx, 'ShipmentDispatched', { ...ids, trackingNumber: changed.trackingNumber });
      if (changed.status === 'DELIVERED') await this.events.publish(tx, 'ShipmentDelivered', ids);
    });
    if (!shipment) throw missing();
    return shipment;
  }

  async cancelShipment(input: Input<'cancelShipment'>): Output<'cancelShipment'> {
    const shipment = await this.shipments.change({ orderId: input.orderId }, cancelledStatus);
    // No shipment is not an error: a saga compensating a step that never ran has nothing to undo.
    return shipment ? { outcome: 'CANCELLED', shipment } : { outcome: 'NO_SHIPMENT', orderId: input.orderId };
  }
}
