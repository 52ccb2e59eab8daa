/**
 * @module The identity module's implementation of its contract.
 */
import type { AccessTokens } from '../../kernel/access-token.js';
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import { isUuid } from '../../kernel/validation.js';
import { InvalidCredentials, UserNotFound, type identityContract, type IdentityApi, type User } from './contract.js';
import { hashPassword, unmatchableHash, verifyPassword } from './password.js';
import type { UserRecord, UserStore } from './user.repository.js';

type Input<M extends keyof IdentityApi> = MethodInput<typeof identityContract, M>;
type Output<M extends keyof IdentityApi> = Promise<MethodOutput<typeof identityContract, M>>;

/**
 * Emails are compared lower-cased. The contract validates but never rewrites its input, so
 * normalising is the service's job, whoever the caller is.
 */
export const normaliseEmail = (email: string): string => email.toLowerCase();

/** The public view of a stored user: everything but the password hash. */
export const toUser = (record: UserRecord): User => ({
  id: record.id,
  email: record.email,
  name: record.name,
  role: record.role,
  createdAt: record.createdAt.toISOString(),
});

export class IdentityService implements IdentityApi {
  /** Made once per process: unknown emails are checked against it (see `unmatchableHash`). */
  readonly #decoy = unmatchableHash();

  constructor(
    private readonly users: UserStore,
    private readonly tokens: AccessTokens,
  ) {}

  async register(input: Input<'register'>): Output<'register'> {
    const record = await this.users.insert({
      email: normaliseEmail(input.email),
      name: input.name,
      role: 'customer',
      passwordHash: await hashPassword(input.password),
    });
    return toUser(record);
  }

  async login(input: Input<'login'>): Output<'login'> {
    const record = await this.users.findByEmail(normaliseEmail(input.email));
    // An unknown email costs a full verification too, and fails the same way.
    const matches = await verifyPassword(input.password, record?.passwordHash ?? this.#decoy);
    if (!record || !matches) throw InvalidCredentials.create('The email or password is wrong');
    const issued = await this.tokens.issue({ userId: record.id, email: record.email, role: record.role });
    return { token: issued.token, expiresIn: issued.expiresIn, user: toUser(record) };
  }

  async getProfile(input: Input<'getProfile'>): Output<'getProfile'> {
    // Only a UUID can name a user; anything else would make PostgreSQL reject the cast.
    const record = isUuid(input.userId) ? await this.users.findById(input.userId) : undefined;
    if (!record) throw UserNotFound.create(`No user with id ${input.userId}`, { userId: input.userId });
    return toUser(record);
  }
}
