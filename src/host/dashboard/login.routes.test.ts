/** The login routes in process: the session cookie's Secure flag, the http warning, and where a login leads. */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../gateway/limiter-store.js';
import { accessTokens } from '../../kernel/access-token.js';
import { endedSessions } from './ended-sessions.js';
import { loginRoutes } from './login.routes.js';
import type { SignIn } from './sign-in.js';

const tokens = accessTokens('login-routes-test-secret-'.padEnd(40, 'x'), 600);

/** The login routes with a sign-in that takes any password of `role`'s account. */
const loginApp = (options: { alwaysSecure: boolean; role?: string }) => {
  const signIn: SignIn = async (_c, credentials) => ({
    signedIn: true,
    expiresIn: 600,
    token: (await tokens.issue({ userId: 'user-1', email: credentials.email, role: options.role ?? 'admin' })).token,
  });
  return new Hono().route('/', loginRoutes({ signIn, tokens, ended: endedSessions(memoryStore()), session: { alwaysSecure: options.alwaysSecure }, render: (_title, body) => html`${body}` }));
};

const logIn = (app: Hono, url: string, headers: Record<string, string> = {}, next = '/_seam') =>
  app.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin, ...headers },
    body: new URLSearchParams({ email: 'admin@example.com', password: 'secret', next }),
  });

describe('the dashboard login', () => {
  it('makes the session cookie Secure in production, or over https, but not over plain http in development', async () => {
    const secureIn = async (alwaysSecure: boolean, url: string, headers?: Record<string, string>) =>
      /;\s*Secure/i.test((await logIn(loginApp({ alwaysSecure }), url, headers)).headers.get('set-cookie') ?? '');
    expect(await secureIn(true, 'http://shop.internal/_seam/login')).toBe(true);
    expect(await secureIn(false, 'https://localhost/_seam/login')).toBe(true);
    // TLS ended at a proxy in front, which says so.
    expect(await secureIn(false, 'http://shop.internal/_seam/login', { 'x-forwarded-proto': 'https' })).toBe(true);
    expect(await secureIn(false, 'http://localhost/_seam/login')).toBe(false);
  });

  it('warns on a plain http page when the browser would drop the Secure cookie', async () => {
    const warned = async (alwaysSecure: boolean, url: string, headers?: Record<string, string>) =>
      (await (await loginApp({ alwaysSecure }).request(url, { headers })).text()).includes('login-needs-https');
    expect(await warned(true, 'http://10.0.0.5/_seam/login')).toBe(true);
    expect(await warned(true, 'http://10.0.0.5/_seam/login', { 'x-forwarded-proto': 'https' })).toBe(false);
    expect(await warned(true, 'http://127.0.0.1:3000/_seam/login')).toBe(false);
    expect(await warned(true, 'https://shop.example/_seam/login')).toBe(false);
    expect(await warned(false, 'http://10.0.0.5/_seam/login')).toBe(false);
  });

  it('goes back to a dashboard page only', async () => {
    const app = loginApp({ alwaysSecure: false });
    const after = async (next: string) => (await logIn(app, 'http://localhost/_seam/login', {}, next)).headers.get('location');
    expect(await after('/_seam/traces?q=abc')).toBe('/_seam/traces?q=abc');
    for (const elsewhere of ['https://evil.example/', '//evil.example/_seam', '/_seam/..//evil.example', '/_seamless', '/_seam\\@evil.example', '/_seam/login']) {
      expect(await after(elsewhere)).toBe('/_seam');
    }
  });
});
