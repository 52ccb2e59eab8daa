/**
 * @module The identity module's public face: accounts, sign-in and profiles.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';

export const EmailTaken = defineError('EMAIL_TAKEN', 'conflict', 'The email address is already registered');
/** One error for an unknown email and a wrong password, so a caller cannot probe for accounts. */
export const InvalidCredentials = defineError('INVALID_CREDENTIALS', 'unauthenticated', 'The email or password is wrong');
export const UserNotFound = defineError('USER_NOT_FOUND', 'not-found', 'User not found');

export const roles = ['customer', 'admin'] as const;

const role = z.enum(roles);

/** RFC 5321 caps a forward path at 254 characters; longer is never a real address. */
const email = z.email().max(254);

const user = z.object({
  id: z.string(),
  /** Always lower-case: the identity module stores and compares emails that way. */
  email: z.string(),
  name: z.string(),
  role,
  /** ISO 8601 timestamp. */
  createdAt: z.string(),
});

export type Role = z.infer<typeof role>;
export type User = z.infer<typeof user>;

export const identityContract = defineContract('identity', 1, {
  methods: {
    /**
     * Creates a customer account. The email is compared and stored lower-cased, so
     * `Ada@Example.com` and `ada@example.com` are one account.
     *
     * Not idempotent: a retry after a lost response would answer EMAIL_TAKEN for the account
     * the first call created.
     */
    register: {
      summary: 'Registers a customer account',
      input: z.object({
        email,
        password: z.string().min(8).max(128),
        name: z.string().min(1).max(100).regex(/\S/, 'must not be blank'),
      }),
      output: user,
      errors: [EmailTaken],
      idempotent: false,
    },
    /**
     * Checks an email and password and issues an access token for that user.
     *
     * Idempotent: it changes no state, so a retry only issues another equally valid token.
     * The password is only bounded, not held to the registration rules, so tightening those
     * rules never locks out an existing account.
     */
    login: {
      summary: 'Signs in with email and password, returning an access token',
      input: z.object({
        email,
        password: z.string().min(1).max(128),
      }),
      output: z.object({
        token: z.string(),
        /** Seconds until the token expires. */
        expiresIn: z.number().int().positive(),
        user,
      }),
      errors: [InvalidCredentials],
      idempotent: true,
    },
    /** One user's profile, by id (the `userId` of an access token). */
    getProfile: {
      summary: "Gets a user's profile by id",
      input: z.object({ userId: z.string().min(1).max(100) }),
      output: user,
      errors: [UserNotFound],
      idempotent: true,
    },
  },
  events: {},
});

export type IdentityApi = ContractApi<typeof identityContract>;
