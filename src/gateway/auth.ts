/**
 * @module Bearer-token authentication for public routes.
 *
 * Verifies the access token locally (no call to identity) and puts its claims on the
 * context as `user`. Admins may do whatever customers may.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AccessClaims, AccessTokens } from '../kernel/access-token.js';
import { Forbidden, Unauthorized } from '../kernel/errors.js';

export type AuthEnv = { Variables: { user: AccessClaims } };

export type Role = 'customer' | 'admin';

const bearer = /^Bearer\s+(\S+)$/i;

/**
 * Requires a valid token; with `role: 'admin'`, an admin's token.
 *
 * @example
 * routes.get('/me', authenticate(tokens), (c) => c.json(c.get('user')));
 */
export const authenticate =
  (tokens: AccessTokens, options: { role?: Role } = {}): MiddlewareHandler<AuthEnv> =>
  async (c, next) => {
    const match = bearer.exec(c.req.header('authorization') ?? '');
    if (!match?.[1]) throw Unauthorized.create('Send an access token as "Authorization: Bearer <token>"');
    const user = await tokens.verify(match[1]);
    if (options.role === 'admin' && user.role !== 'admin') throw Forbidden.create('Only an administrator may do this');
    c.set('user', user);
    await next();
  };

/** The authenticated user of a request that passed `authenticate`. */
export const currentUser = (c: Context<AuthEnv>): AccessClaims => c.get('user');
