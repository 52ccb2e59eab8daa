/**
 * @module The payments tests' database, opened on one of the database backends for a suite,
 * and the payments modules they start on it (in-process binding, validation on unless
 * asked otherwise), with the charge requests they send.
 */
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/kernel/config.js';
import type { Database, DatabaseHandle } from '../../src/kernel/database.js';
import { createLogger } from '../../src/kernel/logger.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import { paymentsContract, type PaymentsApi } from '../../src/modules/payments/contract.js';
import { createPaymentsModule, type PaymentsModuleOptions } from '../../src/modules/payments/module.js';
import { testCards } from '../../src/modules/payments/simulated-card-processor.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import type { DatabaseBackend } from '../support/database-backends.js';

export const card = (number: string = testCards.success) => ({ number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '987' });

export const chargeFor = (orderId: string, number: string = testCards.success, amountCents = 4999) => ({
  orderId,
  userId: 'user-1',
  amountCents,
  currency: 'EUR',
  card: card(number),
});

export interface PaymentsHost {
  /** The database every payments module of the suite shares, inside tests. */
  readonly db: Database;
  /** A payments module on the shared database, bound in process with validation. */
  startPayments(options?: PaymentsModuleOptions & { validate?: boolean }): Promise<PaymentsApi>;
}

/** Registers the hooks that open a database on `backend` before the enclosing suite's tests and close it after them. */
export const paymentsHostOn = (backend: DatabaseBackend): PaymentsHost => {
  let opened: { database: DatabaseHandle; stop(): Promise<void> } | undefined;
  const config = loadConfig({ NODE_ENV: 'test' });
  const logger = createLogger({ level: 'silent' });
  const handle = (): DatabaseHandle => {
    if (!opened) throw new Error('the database is opened in beforeAll: use it inside a test');
    return opened.database;
  };

  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened?.database.close();
    await opened?.stop();
  });

  return {
    get db() {
      return handle().db;
    },
    async startPayments(options = {}) {
      const host = new ModuleHost({ database: handle(), logger, config, bind: inProcessBinder({ validate: options.validate ?? true }) });
      await host.start([createPaymentsModule(options)]);
      return host.api(paymentsContract);
    },
  };
};
