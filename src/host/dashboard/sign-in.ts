/**
 * @module How the login form checks a password: by asking the public API's own login route
 * (POST /api/v1/auth/login, which the framework's API reference already tells every client
 * to use), in process. So the form takes exactly the API's path: the same validation, the
 * same identity call wherever that module runs, and the same login throttling, counted in
 * the same counters per account and per client address, so guessing through the form is as
 * limited as guessing through the API, and both share one lock.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { publicApiBase } from '../../gateway/openapi/document.js';

/** The public API's login route, by the convention the API reference documents. */
export const edgeLoginPath = `${publicApiBase}/auth/login`;

export type SignInOutcome =
  | { readonly signedIn: true; readonly token: string; readonly expiresIn: number }
  | {
      readonly signedIn: false;
      /** The API's status: 400 (not an email…), 401 (wrong), 429 (locked), 5xx (unavailable). */
      readonly status: number;
      /** What to tell the person at the form. */
      readonly message: string;
      readonly retryAfter?: string;
    };

/** Checks an email and password; never throws for a refusal. */
export type SignIn = (c: Context, credentials: { readonly email: string; readonly password: string }) => Promise<SignInOutcome>;

/** Whatever serves the public API in this process: the gateway's app. */
export interface Edge {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

const session = z.object({ token: z.string().min(1), expiresIn: z.number().int().positive() });
const problem = z.object({ code: z.string(), detail: z.string() }).partial();

/** Headers of the form's request the login route needs too: where the client is, behind trusted proxies. */
const carriedHeaders = ['x-forwarded-for', 'user-agent'] as const;

const refusalMessage = (status: number, detail: string | undefined): string => {
  if (status === 401) return 'The email or password is wrong.';
  if (status === 429 || status === 400) return detail ?? 'The login was refused.';
  return 'Login is unavailable right now; try again shortly.';
};

/**
 * @example
 * const signIn = signInThrough(gatewayApp);
 * const outcome = await signIn(c, { email, password });
 */
export const signInThrough =
  (edge: Edge): SignIn =>
  async (c, credentials) => {
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
    for (const name of carriedHeaders) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    // One request id for both log lines.
    const requestId = c.get('requestId') as unknown;
    if (typeof requestId === 'string') headers.set('x-request-id', requestId);
    const request = new Request(new URL(edgeLoginPath, c.req.url), { method: 'POST', headers, body: JSON.stringify(credentials) });
    // The same bindings (the socket), so the route sees the client's own address.
    const response = await edge.fetch(request, c.env);
    const body: unknown = await response.json().catch(() => undefined);
    if (response.status === 200) {
      const parsed = session.safeParse(body);
      if (parsed.success) return { signedIn: true, ...parsed.data };
      return { signedIn: false, status: 502, message: refusalMessage(502, undefined) };
    }
    const detail = problem.safeParse(body).data?.detail;
    const retryAfter = response.headers.get('retry-after');
    return { signedIn: false, status: response.status, message: refusalMessage(response.status, detail), ...(retryAfter === null ? {} : { retryAfter }) };
  };
