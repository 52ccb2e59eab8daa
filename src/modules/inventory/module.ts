/**
 * @module Wires the inventory module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.js';
import { inventoryContract } from './contract.js';
import { startExpirySweeper } from './expiry-sweeper.js';
import { InventoryService } from './inventory.service.js';
import { inventorySeed } from './seed.js';
import { StockRepository } from './stock.repository.js';

const sweepIntervalMs = 15_000;

export const inventoryModule = defineModule({
  name: 'inventory',
  provides: inventoryContract,
  requires: {},
  schema: 'inventory',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  seed: inventorySeed,
  create: ({ db, logger, onStop }) => {
    const service = new InventoryService(db, new StockRepository(db));
    onStop(startExpirySweeper(service, logger, sweepIntervalMs));
    return service;
  },
});
