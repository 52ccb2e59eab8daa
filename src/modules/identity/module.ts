/**
 * @module Wires the identity module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { accessTokens } from '../../kernel/access-token.js';
import { defineModule } from '../../kernel/module.js';
import { ensureAdmin } from './admin.js';
import { identityContract } from './contract.js';
import { IdentityService } from './identity.service.js';
import { UserRepository } from './user.repository.js';

export const identityModule = defineModule({
  name: 'identity',
  provides: identityContract,
  requires: {},
  schema: 'identity',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  // No sample data: the one account every database needs, the admin, is made at start
  // in every environment, not only where sample data is loaded.
  create: async ({ db, config, logger }) => {
    const users = new UserRepository(db);
    await ensureAdmin(users, config.auth, logger);
    return new IdentityService(users, accessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds));
  },
});
