/**
 * @module Who may open the dashboard (/_seam), and who may change anything from it.
 *
 * In development it is on and open to read, since the port is the developer's own; in test
 * and production it is off unless SEAM_DASHBOARD=on, and production then serves it to
 * administrators only, since it shows what runs and what every request did. Replaying a
 * dead letter always needs an administrator's access token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AccessTokens } from '../../kernel/access-token.js';
import type { AppConfig } from '../../kernel/config.js';
import { ConfigError } from '../../kernel/config.js';
import { Forbidden, Unauthorized } from '../../kernel/errors.js';

export type DashboardAccess = { readonly enabled: false } | { readonly enabled: true; readonly viewers: 'anyone' | 'admins' };

/** Whether this process serves the dashboard, and to whom, from NODE_ENV and SEAM_DASHBOARD. */
export const dashboardAccessOf = (config: Pick<AppConfig, 'env' | 'environment'>): DashboardAccess => {
  const given = config.environment['SEAM_DASHBOARD']?.trim().toLowerCase() || undefined;
  if (given !== undefined && given !== 'on' && given !== 'off') throw new ConfigError(`Invalid configuration:\n  SEAM_DASHBOARD: expected "on" or "off", got "${given}"`);
  const enabled = given === undefined ? config.env === 'development' : given === 'on';
  if (!enabled) return { enabled: false };
  return { enabled: true, viewers: config.env === 'production' ? 'admins' : 'anyone' };
};

const bearer = /^Bearer\s+(\S+)$/i;

/**
 * The request's access token: its Authorization header, or else (a form's POST) the body's
 * `access_token` field, as RFC 6750 allows, since a browser form cannot set a header.
 */
const tokenOf = async (c: Context): Promise<string | undefined> => {
  const header = bearer.exec(c.req.header('authorization') ?? '')?.[1];
  if (header !== undefined) return header;
  if (c.req.method !== 'POST' || !(c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded')) return undefined;
  const field = (await c.req.parseBody())['access_token'];
  return typeof field === 'string' && field.trim() !== '' ? field.trim() : undefined;
};

/** Lets through requests carrying an administrator's valid access token only. */
export const adminsOnly =
  (tokens: AccessTokens): MiddlewareHandler =>
  async (c, next) => {
    const token = await tokenOf(c);
    if (token === undefined) throw Unauthorized.create("Send an administrator's access token as \"Authorization: Bearer <token>\" (or a form's access_token field)");
    const claims = await tokens.verify(token);
    if (claims.role !== 'admin') throw Forbidden.create('Only an administrator may do this');
    await next();
  };
