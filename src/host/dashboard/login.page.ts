/**
 * @module The dashboard's login page: an email and password form, posted back to the
 * dashboard with where to go afterwards, and what went wrong with the last try.
 */
import { html } from 'hono/html';
import { dashboardBase, type Html } from './layout.js';

export interface LoginForm {
  /** The dashboard page to return to after logging in. */
  readonly next: string;
  /** The email typed last time, kept so only the password has to be typed again. */
  readonly email?: string;
  readonly problem?: string;
  /** Whether the browser will keep the session only over https, and this page came over http. */
  readonly needsHttps?: boolean;
}

export const loginBody = (form: LoginForm): Html => html`
  ${form.problem === undefined ? '' : html`<p class="failed" id="login-problem" role="alert">${form.problem}</p>`}
  ${form.needsHttps
    ? html`<p class="failed" id="login-needs-https">This page came over plain http: your browser will not keep the login (its cookie is Secure) unless the dashboard is opened over https, or on localhost.</p>`
    : ''}
  <p class="muted">The dashboard is for administrators: sign in with an administrator's account of this application.</p>
  <form id="login" class="stacked" method="post" action="${dashboardBase}/login">
    <input type="hidden" name="next" value="${form.next}">
    <label>Email <input type="email" name="email" value="${form.email ?? ''}" autocomplete="username" required autofocus></label>
    <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit">Log in</button>
  </form>`;
