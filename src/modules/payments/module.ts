/**
 * @module Wires the payments module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.js';
import type { CardProcessor } from './card-processor.js';
import { paymentsContract } from './contract.js';
import { PaymentRepository } from './payment.repository.js';
import { PaymentsService, type PaymentsServiceOptions } from './payments.service.js';
import { SimulatedCardProcessor } from './simulated-card-processor.js';

export interface PaymentsModuleOptions extends Partial<PaymentsServiceOptions> {
  /** Who moves the money. Default: the simulator, which moves none. */
  readonly processor?: CardProcessor;
}

const defaults: PaymentsServiceOptions = {
  // A processor call that outlives 30 s has long timed out; after that, others may reconcile.
  leaseMs: 30_000,
  inFlightWaitMs: 10_000,
  now: () => new Date(),
};

/** The payments module with a processor of your choosing (a real provider, or a test double). */
export const createPaymentsModule = (options: PaymentsModuleOptions = {}) =>
  defineModule({
    name: 'payments',
    provides: paymentsContract,
    requires: {},
    schema: 'payments',
    migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
    create: ({ db, logger, runtime }) => {
      const { processor: chosen, ...overrides } = options;
      const processor = chosen ?? new SimulatedCardProcessor();
      if (processor.name === 'simulated' && runtime.env === 'production') {
        logger.warn('payments runs on the simulated card processor: no money moves');
      }
      return new PaymentsService(new PaymentRepository(db), processor, logger, { ...defaults, ...overrides });
    },
  });

export const paymentsModule = createPaymentsModule();
