/**
 * @module Logging in to the dashboard from a browser: GET /_seam/login shows the form, POST
 * checks the password through the public API's login (sign-in.ts) and, for an
 * administrator, keeps the access token in the session cookie; POST /_seam/logout ends the
 * session: the browser forgets the token, and the dashboard refuses it until it expires.
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AccessTokens } from '../../kernel/access-token.js';
import { loginPath, type DashboardEnv } from './access.js';
import { formPost } from './form-posts.js';
import { dashboardBase, type Html } from './layout.js';
import { loginBody, type LoginForm } from './login.page.js';
import type { EndedSessions } from './ended-sessions.js';
import { endSession, sessionNeedsHttps, sessionToken, startSession, type SessionCookieOptions } from './session-cookie.js';
import type { SignIn } from './sign-in.js';

export interface LoginRoutesOptions {
  readonly signIn: SignIn;
  readonly tokens: AccessTokens;
  readonly session: SessionCookieOptions;
  /** Where logging out puts the session's token, refused from then on. */
  readonly ended: EndedSessions;
  /** A page in the dashboard's frame. */
  readonly render: (title: string, body: Html) => Html;
}

/**
 * Where to go after logging in: a dashboard page, as the form says, or else the architecture
 * page. Only a path under /_seam, so the form cannot be made to send anyone elsewhere.
 */
const returnPath = (asked: unknown): string => {
  if (typeof asked !== 'string') return dashboardBase;
  const underDashboard = asked === dashboardBase || asked.startsWith(`${dashboardBase}/`) || asked.startsWith(`${dashboardBase}?`);
  const plainPath = !/[\\\s]/.test(asked) && !asked.includes('//') && !asked.includes('/..');
  return underDashboard && plainPath && !asked.startsWith(loginPath()) ? asked : dashboardBase;
};

const field = (form: Record<string, unknown>, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value : '';
};

export const loginRoutes = (options: LoginRoutesOptions): Hono<DashboardEnv> => {
  const routes = new Hono<DashboardEnv>();
  const form = (c: Context<DashboardEnv>, values: LoginForm, status: ContentfulStatusCode = 200) =>
    c.html(options.render('Log in', loginBody({ ...values, needsHttps: sessionNeedsHttps(c, options.session) })), status);

  routes.get(loginPath(), (c) => form(c, { next: returnPath(c.req.query('next')) }));

  routes.post(loginPath(), ...formPost(), async (c) => {
    const posted = await c.req.parseBody();
    const next = returnPath(posted['next']);
    const email = field(posted, 'email');
    const password = field(posted, 'password');
    if (email.trim() === '' || password === '') return form(c, { next, email, problem: 'Both the email and the password are needed.' }, 400);
    const outcome = await options.signIn(c, { email, password });
    if (!outcome.signedIn) {
      if (outcome.retryAfter !== undefined) c.header('retry-after', outcome.retryAfter);
      const status = (outcome.status >= 500 ? 503 : outcome.status) as ContentfulStatusCode;
      return form(c, { next, email, problem: outcome.message }, status);
    }
    const claims = await options.tokens.verify(outcome.token);
    // The right password of someone who may not see the dashboard: no session for them.
    if (claims.role !== 'admin') return form(c, { next, email, problem: 'This account is not an administrator: the dashboard is for administrators only.' }, 403);
    startSession(c, options.session, outcome.token, outcome.expiresIn);
    return c.redirect(next, 303);
  });

  routes.post(`${dashboardBase}/logout`, ...formPost(), async (c) => {
    // The token itself is refused from now on, not only forgotten by this browser.
    const token = sessionToken(c);
    if (token !== undefined && (await options.tokens.verify(token).then(() => true, () => false))) await options.ended.end(token);
    endSession(c, options.session);
    return c.redirect(loginPath(), 303);
  });

  return routes;
};
