/**
 * @module User rows. The only file of the identity module that writes SQL.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../kernel/database.js';
import { EmailTaken, type Role } from './contract.js';
import { users } from './schema.js';

/** A user as stored, password hash included: never leaves the identity module. */
export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
  readonly createdAt: Date;
}

export interface NewUser {
  /** Already lower-cased. */
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
}

/** What the identity service reads and writes; the repository below is its PostgreSQL implementation. */
export interface UserStore {
  findByEmail(email: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  /** Inserts a user; EMAIL_TAKEN when the email is registered, even by a concurrent insert. */
  insert(user: NewUser): Promise<UserRecord>;
  /** Inserts a user unless the email is registered; undefined when it was. */
  insertIfAbsent(user: NewUser): Promise<UserRecord | undefined>;
}

const uniqueViolation = '23505';

/**
 * The SQLSTATE of a failed query. drizzle wraps the driver's error (postgres.js
 * `PostgresError`, PGlite `DatabaseError`) as `cause`; both carry `code`.
 */
export const sqlState = (error: unknown): string | undefined => {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
};

/**
 * drizzle's error message lists the query's parameters, here the password hash, and the
 * driver's `detail` may quote the failing row: neither may reach a log. Keep the SQLSTATE.
 */
const scrubbed = (error: unknown, what: string): Error => {
  const code = sqlState(error);
  return new Error(`${what} failed${code === undefined ? '' : ` (SQLSTATE ${code})`}`);
};

export class UserRepository implements UserStore {
  constructor(private readonly db: Database) {}

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email)).limit(1);
    return row;
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  async insert(user: NewUser): Promise<UserRecord> {
    let row: UserRecord | undefined;
    try {
      [row] = await this.db.insert(users).values({ id: randomUUID(), ...user }).returning();
    } catch (error) {
      // The unique index, not a prior lookup, decides whether an email is free: of two
      // concurrent registrations one wins, and the other gets what a later duplicate gets.
      if (sqlState(error) === uniqueViolation) throw EmailTaken.create(`${user.email} is already registered`, { email: user.email });
      throw scrubbed(error, 'Inserting into identity.users');
    }
    if (!row) throw new Error('Inserting into identity.users returned no row');
    return row;
  }

  async insertIfAbsent(user: NewUser): Promise<UserRecord | undefined> {
    try {
      const [row] = await this.db
        .insert(users)
        .values({ id: randomUUID(), ...user })
        .onConflictDoNothing({ target: users.email })
        .returning();
      return row;
    } catch (error) {
      throw scrubbed(error, 'Inserting into identity.users');
    }
  }
}
