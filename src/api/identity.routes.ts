/**
 * @module Public identity routes: register, sign in (throttled per account and address), and who am I.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { EmailTaken, identityContract, InvalidCredentials, UserNotFound, type IdentityApi } from '../modules/identity/contract.js';
import { authenticate, currentUser } from '../gateway/auth.js';
import { readJson } from '../gateway/body.js';
import { LoginLocked, unthrottledLogins, type LoginThrottle } from '../gateway/login-throttle.js';
import { credentialsExample, registrationExample, sessionExample, userExample } from './examples.js';
import { describeOperation } from '../gateway/openapi/operation.js';

// The edge forgives what people type (stray spaces, capitals in an email) before the
// contract, which never rewrites data, checks it. Passwords are taken exactly as sent.

/**
 * A string of `min`..`max` characters. The bounds sit behind a pipe because zod runs length
 * checks even on a value that is not a string (an array has a length too), which would name
 * the field twice; the pipe reports only "expected string".
 */
const text = (min: number, max: number, options: { trim?: boolean } = {}) => {
  const bounded = z.string().min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`).max(max, `must be at most ${max} characters`);
  return options.trim ? z.string().trim().pipe(bounded) : z.string().pipe(bounded);
};

const emailField = z.string().trim().toLowerCase().pipe(z.email('must be an email address').max(254, 'must be at most 254 characters'));

const registerBody = z.object({
  email: emailField,
  password: text(8, 128),
  name: text(1, 100, { trim: true }),
});

const loginBody = z.object({
  email: emailField,
  password: text(1, 128),
});

export const identityRoutes = (identity: IdentityApi, tokens: AccessTokens, logins: LoginThrottle = unthrottledLogins): Hono => {
  const routes = new Hono();

  routes.post(
    '/auth/register',
    describeOperation({
      operationId: 'register',
      examplePath: '/auth/register',
      tag: 'Identity',
      summary: 'Registers a customer account',
      description: 'The email is compared and stored lower-cased: `Ada@Example.com` and `ada@example.com` are one account.',
      access: 'public',
      body: { schema: registerBody, example: registrationExample },
      answers: { 201: { description: 'The account created', schema: identityContract.methods.register.output, example: userExample } },
      errors: [EmailTaken],
    }),
    async (c) => c.json(await identity.register(await readJson(c, registerBody)), 201),
  );

  routes.post(
    '/auth/login',
    describeOperation({
      operationId: 'login',
      examplePath: '/auth/login',
      tag: 'Identity',
      summary: 'Signs in, answering an access token',
      description: 'Send the `token` as `Authorization: Bearer <token>` until it expires (`expiresIn` seconds). Repeated failures lock the account for a while (`LOGIN_LOCKED`).',
      access: 'public',
      body: { schema: loginBody, example: credentialsExample },
      answers: { 200: { description: 'An access token and who it is for', schema: identityContract.methods.login.output, example: sessionExample } },
      errors: [InvalidCredentials, LoginLocked],
    }),
    async (c) => {
      const credentials = await readJson(c, loginBody);
      // Counted by the email as normalised above, so "ADA@x" and "ada@x" are one account.
      return logins.attempt(c, credentials.email, async () => {
        const session = await identity.login(credentials);
        // A bearer token is a credential: no cache, shared or private, may keep it (RFC 6749 §5.1).
        c.header('cache-control', 'no-store');
        return c.json(session);
      });
    },
  );

  routes.get(
    '/me',
    describeOperation({
      operationId: 'getMe',
      examplePath: '/me',
      tag: 'Identity',
      summary: "Gets the signed-in user's profile",
      access: 'signed-in',
      answers: { 200: { description: 'The profile', schema: identityContract.methods.getProfile.output, example: userExample } },
      errors: [UserNotFound],
    }),
    authenticate(tokens),
    async (c) => {
      c.header('cache-control', 'no-store');
      return c.json(await identity.getProfile({ userId: currentUser(c).userId }));
    },
  );

  return routes;
};
