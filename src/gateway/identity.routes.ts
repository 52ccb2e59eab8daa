/**
 * @module Public identity routes: register, sign in (throttled per account and address), and who am I.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import type { IdentityApi } from '../modules/identity/contract.js';
import { authenticate, currentUser } from './auth.js';
import { readJson } from './body.js';
import { unthrottledLogins, type LoginThrottle } from './login-throttle.js';

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

  routes.post('/auth/register', async (c) => c.json(await identity.register(await readJson(c, registerBody)), 201));

  routes.post('/auth/login', async (c) => {
    const credentials = await readJson(c, loginBody);
    // Counted by the email as normalised above, so "ADA@x" and "ada@x" are one account.
    return logins.attempt(c, credentials.email, async () => {
      const session = await identity.login(credentials);
      // A bearer token is a credential: no cache, shared or private, may keep it (RFC 6749 §5.1).
      c.header('cache-control', 'no-store');
      return c.json(session);
    });
  });

  routes.get('/me', authenticate(tokens), async (c) => {
    c.header('cache-control', 'no-store');
    return c.json(await identity.getProfile({ userId: currentUser(c).userId }));
  });

  return routes;
};
