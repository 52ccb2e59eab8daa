/**
 * @module The dashboard's session cookie: an administrator's access token, kept where only
 * the dashboard's own pages get it back (Path=/_seam), never readable by a script
 * (HttpOnly), never sent with a request another site starts (SameSite=Strict), and over
 * TLS only whenever the dashboard is served in production or reached over https.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { dashboardBase } from './layout.js';

export const sessionCookieName = 'seam_dashboard';

export interface SessionCookieOptions {
  /**
   * Whether the cookie is always Secure (production, where TLS may end at an ingress in
   * front of this process, so the request itself looks like plain http).
   */
  readonly alwaysSecure: boolean;
}

/** Whether the browser reached us over TLS: directly, or through a proxy that says so. */
const overHttps = (c: Context): boolean =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';

const attributesFor = (c: Context, options: SessionCookieOptions) =>
  ({ path: dashboardBase, httpOnly: true, sameSite: 'Strict', secure: options.alwaysSecure || overHttps(c) }) as const;

/** Addresses browsers count as secure even over plain http, so they keep a Secure cookie from them. */
const loopbackHost = /^(localhost|[^.]+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Whether a browser would silently drop the Secure cookie of this request's answer: it came
 * over plain http to an address other than this machine's loopback.
 */
export const sessionNeedsHttps = (c: Context, options: SessionCookieOptions): boolean =>
  attributesFor(c, options).secure && !overHttps(c) && !loopbackHost.test(new URL(c.req.url).hostname);

/** The token the browser sent, if any. */
export const sessionToken = (c: Context): string | undefined => {
  const token = getCookie(c, sessionCookieName)?.trim();
  return token === undefined || token === '' ? undefined : token;
};

/** Keeps `token` in the browser for at most `maxAgeSeconds`, the token's own life. */
export const startSession = (c: Context, options: SessionCookieOptions, token: string, maxAgeSeconds: number): void => {
  setCookie(c, sessionCookieName, token, { ...attributesFor(c, options), maxAge: Math.max(Math.floor(maxAgeSeconds), 0) });
};

/** Makes the browser forget the token. */
export const endSession = (c: Context, options: SessionCookieOptions): void => {
  deleteCookie(c, sessionCookieName, attributesFor(c, options));
};
