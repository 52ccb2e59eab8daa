/**
 * @module Who may open the dashboard (/_seam), and who may change anything from it.
 *
 * In development it is on and open to read, since the port is the developer's own; in test
 * and production it is off unless SEAM_DASHBOARD=on, and production then serves it to
 * administrators only, since it shows what runs and what every request did. Replaying a
 * dead letter always needs an administrator. An administrator is known by an access token,
 * sent as `Authorization: Bearer` (a script) or kept in the session cookie the login form
 * sets (a browser).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AccessClaims, AccessTokens } from '../../kernel/access-token.js';
import type { AppConfig } from '../../kernel/config.js';
import { ConfigError } from '../../kernel/config.js';
import { Forbidden, Unauthorized } from '../../kernel/errors.js';
import { dashboardBase } from './layout.js';
import type { EndedSessions } from './ended-sessions.js';
import { endSession, sessionToken, type SessionCookieOptions } from './session-cookie.js';

export type DashboardAccess = { readonly enabled: false } | { readonly enabled: true; readonly viewers: 'anyone' | 'admins' };

/** What the dashboard's routes know about the request: who sent it, when anyone did. */
export interface DashboardEnv {
  Variables: { viewer?: AccessClaims };
}

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
 * The request's token and where it came from. An Authorization header, when there is one,
 * is the only credential looked at, so a request that sends one never rides on the cookie.
 */
const credentialOf = (c: Context): { token: string; from: 'header' | 'cookie' } | undefined => {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const token = bearer.exec(header)?.[1];
    return token === undefined ? undefined : { token, from: 'header' };
  }
  const token = sessionToken(c);
  return token === undefined ? undefined : { token, from: 'cookie' };
};

const wantsPage = (c: Context): boolean => (c.req.header('accept') ?? '').includes('text/html');

/** The login page's address, coming back to `next` afterwards. */
export const loginPath = (next?: string): string => `${dashboardBase}/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`;

/** Where a browser sent to log in comes back: the page it asked for, or the outbox after a replay form. */
const returnPathOf = (c: Context): string => {
  const { pathname, search } = new URL(c.req.url);
  if (c.req.method === 'GET') return pathname + search;
  return pathname.startsWith(`${dashboardBase}/outbox`) ? `${dashboardBase}/outbox` : dashboardBase;
};

export interface ViewerOptions {
  readonly tokens: AccessTokens;
  readonly session: SessionCookieOptions;
  /** Tokens whose session was ended by logging out, refused until they expire. */
  readonly ended: EndedSessions;
}

/** Who the request's valid token names; undefined without a token, with one that is not valid (expired, say), or with one logged out. */
const viewerOf = async (options: ViewerOptions, credential: ReturnType<typeof credentialOf>): Promise<AccessClaims | undefined> => {
  if (credential === undefined) return undefined;
  const claims = await options.tokens.verify(credential.token).catch(() => undefined);
  return claims === undefined || (await options.ended.isEnded(credential.token)) ? undefined : claims;
};

/** Notes who sent the request, if its token is valid, and lets every request through. */
export const identifyViewer =
  (options: ViewerOptions): MiddlewareHandler<DashboardEnv> =>
  async (c, next) => {
    const viewer = await viewerOf(options, credentialOf(c));
    if (viewer) c.set('viewer', viewer);
    await next();
  };

/**
 * Lets through requests carrying an administrator's valid access token only. Without a valid
 * one a browser is sent to the login page (an expired session cookie is cleared on the
 * way) and anything else gets 401; another user's token gets 403.
 */
export const adminsOnly =
  (options: ViewerOptions): MiddlewareHandler<DashboardEnv> =>
  async (c, next) => {
    const credential = credentialOf(c);
    const viewer = await viewerOf(options, credential);
    if (!viewer) {
      if (!wantsPage(c)) throw Unauthorized.create("Send an administrator's access token as \"Authorization: Bearer <token>\", or log in at /_seam/login");
      if (credential?.from === 'cookie') endSession(c, options.session);
      return c.redirect(loginPath(returnPathOf(c)), 303);
    }
    if (viewer.role !== 'admin') throw Forbidden.create('Only an administrator may do this');
    c.set('viewer', viewer);
    await next();
  };
