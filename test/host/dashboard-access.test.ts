/**
 * Who reaches the dashboard of a running shop: in development anyone, and `/` leads there;
 * in production (SEAM_DASHBOARD=on) only an administrator, by bearer token (a script) or by
 * the session cookie the login form sets (a browser, checked in Chromium too). The form's
 * logins are throttled with the API's, no form of the dashboard can be posted by another
 * site, and a logged-out session's token is refused from then on.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../../src/application.js';
import type { RunningApp } from '../../src/host/start.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import { openChromium, type ChromiumSession } from '../support/chromium-session.js';
import { ShopClient } from '../support/shop-client.js';
import { startTestApp } from '../support/test-app.js';

const jwtSecret = `dashboard-access-${'s'.repeat(32)}`;
const admin = { email: 'dashboard-admin@example.com', password: 'a long admin password' };
const tokenLifeSeconds = 900;
const loginMaxFailures = 3;

const form = (fields: Record<string, string>) => ({ 'content-type': 'application/x-www-form-urlencoded', body: new URLSearchParams(fields) });

/** The session cookie of a Set-Cookie header, as a browser would send it back. */
const cookieOf = (response: Response): string => {
  const set = response.headers.get('set-cookie') ?? '';
  const pair = /^(seam_dashboard=[^;]*)/.exec(set)?.[1];
  if (pair === undefined) throw new Error(`no session cookie in ${JSON.stringify(set)}`);
  return pair;
};

describe('dashboard access in development', () => {
  it('is open without logging in, and the home page leads to it', async () => {
    const app = await startTestApp({ NODE_ENV: 'development' });
    try {
      const home = await fetch(`${app.url}/`, { redirect: 'manual' });
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toBe('/_seam');
      const dashboard = await fetch(`${app.url}/_seam`);
      expect(dashboard.status).toBe(200);
      expect(dashboard.headers.get('content-type')).toContain('text/html');
    } finally {
      await app.stop();
    }
  });
});

describe('dashboard access in production', () => {
  let app: RunningApp;
  let chromium: ChromiumSession;
  const tokens = accessTokens(jwtSecret, 600);
  const bearerOf = async (role: string) => `Bearer ${(await tokens.issue({ userId: randomUUID(), email: `${role}@example.com`, role })).token}`;
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const { body, ...formHeaders } = form(fields);
    return fetch(`${app.url}${path}`, { method: 'POST', redirect: 'manual', headers: { ...formHeaders, ...headers }, body });
  };
  /** A post from one of the dashboard's own pages, as a browser sends it. */
  const samePage = (extra: Record<string, string> = {}) => ({ origin: app.url, 'sec-fetch-site': 'same-origin', accept: 'text/html', ...extra });
  const logIn = (credentials: { email: string; password: string }, next = '/_seam/traces') => post('/_seam/login', { ...credentials, next }, samePage());
  const apiLogin = (credentials: { email: string; password: string }) =>
    fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });

  beforeAll(async () => {
    // Started together: the shop's start and Chromium's take about as long.
    [app, chromium] = await Promise.all([
      startTestApp({
        NODE_ENV: 'production',
        SEAM_DASHBOARD: 'on',
        JWT_SECRET: jwtSecret,
        SEAM_OPERATOR_TOKEN: 'o'.repeat(40),
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        ACCESS_TOKEN_TTL_SECONDS: String(tokenLifeSeconds),
        LOGIN_MAX_FAILURES: String(loginMaxFailures),
        LOGIN_FAILURE_DELAY_MS: '0',
      }),
      openChromium(),
    ]);
  });

  afterAll(async () => {
    await chromium?.close();
    await app?.stop();
  });

  it('takes an administrator’s bearer token: none is 401, another user’s 403', async () => {
    const none = await fetch(`${app.url}/_seam/traces`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${app.url}/_seam/traces`, { headers: { authorization: await bearerOf('customer') } })).status).toBe(403);
    expect((await fetch(`${app.url}/_seam/traces`, { headers: { authorization: await bearerOf('admin') } })).status).toBe(200);
    expect((await fetch(`${app.url}/`, { redirect: 'manual' })).status).toBe(404);
  });

  it('sends a browser without a valid session to the login page, clearing an expired cookie', async () => {
    const page = await fetch(`${app.url}/_seam/traces?q=abc`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/_seam/login?next=${encodeURIComponent('/_seam/traces?q=abc')}`);
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ email: admin.email, role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(randomUUID())
      .setIssuer('seam')
      .setAudience('seam-api')
      .setIssuedAt(anHourAgo)
      .setExpirationTime(anHourAgo + 60)
      .sign(new TextEncoder().encode(jwtSecret));
    const stale = await fetch(`${app.url}/_seam`, { redirect: 'manual', headers: { accept: 'text/html', cookie: `seam_dashboard=${expired}` } });
    expect(stale.status).toBe(303);
    expect(stale.headers.get('set-cookie')).toMatch(/^seam_dashboard=;.*Max-Age=0/);
    expect((await fetch(`${app.url}/_seam`, { headers: { cookie: `seam_dashboard=${expired}` } })).status).toBe(401);
  });

  it('logs an administrator in with a session cookie no script, other path or other site gets, living no longer than the token', async () => {
    const form = await fetch(`${app.url}/_seam/login?next=/_seam/traces`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="password"');

    const login = await logIn(admin);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/_seam/traces');
    const attributes = (login.headers.get('set-cookie') ?? '').split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/_seam', 'secure', `max-age=${tokenLifeSeconds}`]));
    const cookie = cookieOf(login);
    expect((await fetch(`${app.url}/_seam/traces`, { headers: { cookie } })).status).toBe(200);

    // Only to a dashboard page afterwards, whatever the form says.
    expect((await logIn(admin, 'https://elsewhere.example/')).headers.get('location')).toBe('/_seam');
  });

  it('refuses a wrong password and a customer’s right one without a session', async () => {
    const wrong = await logIn({ email: admin.email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('The email or password is wrong.');
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const customer = { email: `dashboard-customer-${randomUUID()}@example.com`, password: 'correct horse battery' };
    await new ShopClient(app.url).signIn(customer.email, customer.password);
    const notAdmin = await logIn(customer);
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.headers.get('set-cookie')).toBeNull();
  });

  it('counts failed form logins with the API’s, and locks both together', async () => {
    const guessed = { email: `guessed-${randomUUID()}@example.com`, password: 'a guess' };
    for (let failure = 1; failure < loginMaxFailures; failure += 1) expect((await apiLogin(guessed)).status).toBe(401);
    expect((await logIn(guessed)).status).toBe(401);
    const locked = await logIn(guessed);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await locked.text()).toContain('Too many failed logins');
    expect((await apiLogin(guessed)).status).toBe(429);
  });

  it('refuses a form another site posts, and lets the dashboard’s own and a script’s with a bearer token through', async () => {
    const cookie = cookieOf(await logIn(admin));
    const replay = (headers: Record<string, string>) => post('/_seam/outbox/replay', { schema: 'orders', id: randomUUID() }, headers);
    const crossSitePosts: Record<string, string>[] = [{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }, {}];
    for (const crossSite of crossSitePosts) {
      const refused = await replay({ cookie, ...crossSite });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await post('/_seam/login', { ...admin, next: '/_seam' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post('/_seam/logout', {}, { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);

    const own = await replay({ cookie, ...samePage() });
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/_seam/outbox?replayed=none');
    expect((await replay({ authorization: await bearerOf('admin') })).status).toBe(303);
    expect((await replay({ authorization: await bearerOf('customer') })).status).toBe(403);

    const logout = await post('/_seam/logout', {}, { cookie, ...samePage() });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('set-cookie')).toMatch(/^seam_dashboard=;.*Max-Age=0.*Path=\/_seam/);
  });

  it('refuses a logged-out session’s token from then on, kept cookie or bearer, and no other session’s', async () => {
    const cookie = cookieOf(await logIn(admin));
    const other = cookieOf(await logIn(admin));
    const open = (headers: Record<string, string>) => fetch(`${app.url}/_seam/outbox`, { redirect: 'manual', headers: { accept: 'text/html', ...headers } });
    expect((await open({ cookie })).status).toBe(200);
    expect((await post('/_seam/logout', {}, { cookie, ...samePage() })).status).toBe(303);

    // A copy of the cookie kept from before (a stolen one, say) leads to the login page again.
    const kept = await open({ cookie });
    expect(kept.status).toBe(303);
    expect(kept.headers.get('location')).toBe('/_seam/login?next=%2F_seam%2Foutbox');
    const token = cookie.slice('seam_dashboard='.length);
    expect((await fetch(`${app.url}/_seam/outbox`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await open({ cookie: other })).status).toBe(200);
  });

  it('logs in through the form in Chromium and shows the architecture', async () => {
    const { page } = chromium;
    // Over plain http a browser keeps a Secure cookie from a loopback address only, not from 0.0.0.0.
    const url = `http://127.0.0.1:${new URL(app.url).port}`;
    const plainHttp = await (await fetch(`${app.url}/_seam/login`)).text();
    expect(plainHttp).toContain('id="login-needs-https"');
    await page.goto(`${url}/_seam`);
    expect(new URL(page.url()).pathname).toBe('/_seam/login');
    expect(await page.locator('#login-needs-https').count()).toBe(0);
    await page.locator('input[name="email"]').fill(admin.email);
    await page.locator('input[name="password"]').fill(admin.password);
    await page.locator('#login button[type="submit"]').click();
    await page.locator('#modules').waitFor();
    expect(new URL(page.url()).pathname).toBe('/_seam');
    expect(await page.locator('#modules tr[data-module]').count()).toBe(application.modules.length);
    const [session] = (await page.context().cookies(`${url}/_seam`)).filter((cookie) => cookie.name === 'seam_dashboard');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/_seam' });
    await chromium.screenshot('login-architecture');

    await page.locator('header button[type="submit"]').click();
    await page.locator('#login').waitFor();
    expect(await page.context().cookies(`${url}/_seam`)).toEqual([]);
    expect(chromium.consoleErrors).toEqual([]);
  });
});
