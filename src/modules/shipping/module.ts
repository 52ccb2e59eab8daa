/**
 * @module Wires the shipping module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.js';
import { shippingContract } from './contract.js';
import { ShipmentRepository } from './shipment.repository.js';
import { ShippingService } from './shipping.service.js';

export const shippingModule = defineModule({
  name: 'shipping',
  provides: shippingContract,
  requires: {},
  schema: 'shipping',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  create: ({ db, events }) => new ShippingService(new ShipmentRepository(db), events),
});
