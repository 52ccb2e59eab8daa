import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { accessTokens } from '../../kernel/access-token.js';
import { EmailTaken } from './contract.js';
import { IdentityService } from './identity.service.js';
import { verifyPassword } from './password.js';
import type { NewUser, UserRecord, UserStore } from './user.repository.js';

// The real hashing, observed: the timing guarantee is that every login verifies a hash.
vi.mock('./password.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./password.js')>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

/** An in-memory store with the repository's contract: unique emails, EMAIL_TAKEN on a duplicate. */
class MemoryUsers implements UserStore {
  readonly rows: UserRecord[] = [];
  async findByEmail(email: string) {
    return this.rows.find((row) => row.email === email);
  }
  async findById(id: string) {
    return this.rows.find((row) => row.id === id);
  }
  async insert(user: NewUser) {
    if (await this.findByEmail(user.email)) throw EmailTaken.create();
    const row = { ...user, id: randomUUID(), createdAt: new Date() };
    this.rows.push(row);
    return row;
  }
  async insertIfAbsent(user: NewUser) {
    return (await this.findByEmail(user.email)) ? undefined : this.insert(user);
  }
}

const tokens = accessTokens('a-test-secret-that-is-long-enough-123', 900);
const setup = () => {
  const users = new MemoryUsers();
  return { users, service: new IdentityService(users, tokens) };
};
const ada = { email: 'Ada@Example.COM', password: 'analytical engine', name: 'Ada Lovelace' };

const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('IdentityService', () => {
  it('registers a customer under the lower-cased email, returning no hash', async () => {
    const { users, service } = setup();
    const user = await service.register(ada);
    expect(user).toEqual({ id: expect.any(String), email: 'ada@example.com', name: 'Ada Lovelace', role: 'customer', createdAt: expect.any(String) });
    expect(JSON.stringify(user)).not.toMatch(/scrypt|analytical/);
    expect(users.rows[0]?.passwordHash).toMatch(/^scrypt\$/);
  });

  it('signs in with the email in any case and issues a token naming the user', async () => {
    const { service } = setup();
    const registered = await service.register(ada);
    const session = await service.login({ email: 'ADA@example.com', password: ada.password });
    expect(session.user).toEqual(registered);
    expect(session.expiresIn).toBe(900);
    await expect(tokens.verify(session.token)).resolves.toEqual({ userId: registered.id, email: 'ada@example.com', role: 'customer' });
  });

  it('answers a wrong password and an unknown email alike, having verified a hash for each', async () => {
    const { service } = setup();
    await service.register(ada);
    vi.mocked(verifyPassword).mockClear();
    const wrongPassword = await rejection(service.login({ email: ada.email, password: 'difference engine' }));
    const unknownEmail = await rejection(service.login({ email: 'nobody@example.com', password: ada.password }));
    for (const error of [wrongPassword, unknownEmail]) expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', kind: 'unauthenticated', message: 'The email or password is wrong' });
    expect(vi.mocked(verifyPassword)).toHaveBeenCalledTimes(2);
    const decoy = vi.mocked(verifyPassword).mock.calls[1]?.[1];
    expect(decoy).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('refuses a second account for the same email, whatever its case', async () => {
    const { service } = setup();
    await service.register(ada);
    await expect(service.register({ ...ada, email: 'ada@example.com' })).rejects.toMatchObject({ code: 'EMAIL_TAKEN', kind: 'conflict' });
  });

  it('gets a profile by id, and USER_NOT_FOUND for an unknown id or one that is not a UUID', async () => {
    const { service } = setup();
    const registered = await service.register(ada);
    await expect(service.getProfile({ userId: registered.id })).resolves.toEqual(registered);
    for (const userId of [randomUUID(), 'not-a-uuid']) {
      await expect(service.getProfile({ userId })).rejects.toMatchObject({ code: 'USER_NOT_FOUND', kind: 'not-found' });
    }
  });
});
