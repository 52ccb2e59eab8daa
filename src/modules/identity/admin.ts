/**
 * @module The administrator the shop starts with, created at module start when missing.
 */
import type { Logger } from '../../kernel/logger.js';
import { identityContract } from './contract.js';
import { generatePassword, hashPassword } from './password.js';
import type { AdminSettings } from './settings.js';
import type { UserStore } from './user.repository.js';

/** The longest password `login` accepts, read from its contract so the two cannot drift. */
const maxPasswordLength = identityContract.methods.login.input.shape.password.maxLength ?? Number.POSITIVE_INFINITY;

/** What `ensureAdmin` did, for tests and the caller's log. */
export type AdminOutcome = 'existed' | 'created' | 'created-with-generated-password' | 'lost-race' | 'email-held-by-customer';

/**
 * Creates the administrator named by `ADMIN_EMAIL` unless that email is registered.
 *
 * The password is `ADMIN_PASSWORD`, or else a random one logged here, once: later starts find
 * the admin and log nothing, so the password appears in exactly one log line. Two processes
 * starting together both insert with "on conflict do nothing"; only the one whose row was
 * stored logs its password, the other's was never valid.
 */
export const ensureAdmin = async (users: UserStore, settings: AdminSettings, logger: Logger): Promise<AdminOutcome> => {
  const email = settings.ADMIN_EMAIL.toLowerCase();
  const { ADMIN_PASSWORD: chosenPassword } = settings;
  const existing = await users.findByEmail(email);
  if (existing) {
    if (existing.role === 'admin') return 'existed';
    // Promoting it would hand admin rights to whoever registered that email first.
    logger.warn({ email }, 'ADMIN_EMAIL belongs to a customer account; it was not made an administrator');
    return 'email-held-by-customer';
  }
  if (chosenPassword !== undefined && chosenPassword.length > maxPasswordLength) {
    logger.warn({ email }, `ADMIN_PASSWORD is longer than ${maxPasswordLength} characters, so login will refuse it; the administrator cannot sign in`);
  }
  const password = chosenPassword ?? generatePassword();
  const created = await users.insertIfAbsent({ email, name: 'Administrator', role: 'admin', passwordHash: await hashPassword(password) });
  if (!created) return 'lost-race';
  if (chosenPassword !== undefined) {
    logger.info({ email }, 'administrator created with ADMIN_PASSWORD');
    return 'created';
  }
  logger.warn(
    { email, initialPassword: password },
    'administrator created with a generated password, shown only this once: sign in and keep it safe, or set ADMIN_PASSWORD before the first start',
  );
  return 'created-with-generated-password';
};
