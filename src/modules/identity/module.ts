/**
 * @module Wires the identity module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../kernel/module.js';
import { ensureAdmin } from './admin.js';
import { identityContract } from './contract.js';
import { IdentityService } from './identity.service.js';
import { adminSettings } from './settings.js';
import { UserRepository } from './user.repository.js';

export const identityModule = defineModule({
  name: 'identity',
  provides: identityContract,
  requires: {},
  schema: 'identity',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  settings: adminSettings,
  // No sample data: the one account every database needs, the admin, is made at start
  // in every environment, not only where sample data is loaded.
  create: async ({ db, settings, runtime, logger }) => {
    const users = new UserRepository(db);
    await ensureAdmin(users, settings, logger);
    // Signs with the key the gateway verifies with; identity never holds the key itself.
    return new IdentityService(users, runtime.accessTokens);
  },
});
