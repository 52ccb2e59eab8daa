/**
 * Sign-up, sign-in and the profile, end to end over HTTP, on embedded PGlite and on a real
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import type { User } from '../../src/modules/identity/contract.js';
import { databaseBackends } from '../support/database-backends.js';
import { startTestApp } from '../support/test-app.js';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  requestId: string;
  errors?: { field: string; message: string }[];
}
interface Session {
  token: string;
  expiresIn: number;
  user: User;
}
interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

const adminPassword = 'an admin password for tests';
const ada = { email: 'Ada.Lovelace@Example.com', password: 'analytical engine 1843', name: 'Ada Lovelace' };

describe.each(databaseBackends)('identity API on $name', (backend) => {
  let app: RunningApp;
  let release: () => Promise<void>;
  /** Every response body this suite received, to prove no password ever comes back. */
  const received: string[] = [];

  const send = async <T>(method: string, path: string, options: { json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> => {
    const headers = { ...(options.json === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
    const body = options.json === undefined ? options.body : JSON.stringify(options.json);
    const response = await fetch(`${app.url}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    received.push(text);
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as T };
  };
  const register = (json: unknown) => send<User & ProblemBody>('POST', '/auth/register', { json });
  const login = (json: unknown) => send<Session & ProblemBody>('POST', '/auth/login', { json });
  const me = (headers: Record<string, string> = {}) => send<User & ProblemBody>('GET', '/me', { headers });

  const expectProblem = (reply: Reply<ProblemBody>, status: number, code: string): void => {
    expect(reply.status).toBe(status);
    expect(reply.headers.get('content-type')).toBe('application/problem+json');
    expect(reply.body).toMatchObject({ status, code });
  };

  beforeAll(async () => {
    const prepared = await backend.prepare();
    release = prepared.release;
    app = await startTestApp({ ...prepared.env, ADMIN_PASSWORD: adminPassword });
  });
  afterAll(async () => {
    await app?.stop();
    await release?.();
  });

  it('registers a customer: 201, email lower-cased, no password or hash in the reply', async () => {
    const reply = await register({ ...ada, email: '  Ada.Lovelace@Example.com ', name: ' Ada Lovelace ' });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ id: expect.any(String), email: 'ada.lovelace@example.com', name: 'Ada Lovelace', role: 'customer', createdAt: expect.any(String) });
    expect(new Date(reply.body.createdAt).toISOString()).toBe(reply.body.createdAt);
  });

  it.each(['ada.lovelace@example.com', 'ADA.LOVELACE@EXAMPLE.COM'])('refuses %s again with 409 EMAIL_TAKEN', async (email) => {
    expectProblem(await register({ ...ada, email }), 409, 'EMAIL_TAKEN');
  });

  it('lets exactly one of several concurrent registrations of one email succeed', async () => {
    const attempts = ['race@example.com', 'Race@Example.com', 'RACE@example.com', 'race@EXAMPLE.com'].map((email) =>
      register({ email, password: 'a racing password', name: 'Racer' }),
    );
    const statuses = (await Promise.all(attempts)).map((reply) => reply.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
  });

  it.each([
    ['a malformed email', 'email', { ...ada, email: 'not-an-email' }],
    ['a short password', 'password', { ...ada, email: 'short@example.com', password: 'seven77' }],
    ['a long password', 'password', { ...ada, email: 'long@example.com', password: 'x'.repeat(129) }],
    ['a blank name', 'name', { ...ada, email: 'blank@example.com', name: '   ' }],
    ['a long name', 'name', { ...ada, email: 'named@example.com', name: 'n'.repeat(101) }],
    ['no email', 'email', { password: ada.password, name: ada.name }],
    ['no password', 'password', { email: 'nopass@example.com', name: ada.name }],
    ['a number for a name', 'name', { ...ada, email: 'typed@example.com', name: 42 }],
    ['an array for a password', 'password', { ...ada, email: 'typed@example.com', password: ['a', 'b'] }],
    ['an array for a name', 'name', { ...ada, email: 'typed@example.com', name: ['Ada'] }],
    ['a number for an email', 'email', { ...ada, email: 1843 }],
  ])('answers a registration with %s with a 400 problem naming %s', async (_, field, json) => {
    const reply = await register(json);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors?.map((issue) => issue.field)).toEqual([field]);
    expect(reply.body.detail).toContain(`${field}:`);
  });

  it('answers a body that is not an object, or not JSON, with a 400 problem', async () => {
    const notObject = await register(['not', 'an', 'object']);
    expectProblem(notObject, 400, 'VALIDATION_FAILED');
    const broken = await send<ProblemBody>('POST', '/auth/register', { body: '{"email":', headers: { 'content-type': 'application/json' } });
    expectProblem(broken, 400, 'VALIDATION_FAILED');
    expect(broken.body.errors).toEqual([{ field: '(body)', message: 'is not valid JSON' }]);
  });

  it.each(['/auth/register', '/auth/login'])('answers a form-encoded body on %s with 415', async (path) => {
    const reply = await send<ProblemBody>('POST', path, {
      body: 'email=ada%40example.com&password=analytical',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(reply, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('signs in with the email in any case: 200, a bearer token, not cacheable', async () => {
    const reply = await login({ email: 'ADA.lovelace@example.COM', password: ada.password });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toEqual({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expiresIn: 3600,
      user: expect.objectContaining({ email: 'ada.lovelace@example.com', role: 'customer' }),
    });
  });

  it.each([
    ['a wrong password', { email: ada.email, password: 'difference engine 1822' }],
    ['an unknown email', { email: 'nobody@example.com', password: ada.password }],
    ['a password shorter than any account may have', { email: ada.email, password: 'x' }],
  ])('refuses %s with the same 401 INVALID_CREDENTIALS', async (_, json) => {
    const reply = await login(json);
    expectProblem(reply, 401, 'INVALID_CREDENTIALS');
    expect(reply.body.detail).toBe('The email or password is wrong');
  });

  it('answers a login without a password with a 400 problem naming it', async () => {
    const reply = await login({ email: ada.email });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors?.map((issue) => issue.field)).toEqual(['password']);
  });

  it('shows the profile of the token bearer on GET /me', async () => {
    const session = (await login({ email: ada.email, password: ada.password })).body;
    const reply = await me({ authorization: `Bearer ${session.token}` });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toEqual(session.user);
  });

  it('answers GET /me with 401 without a token, with a malformed one and with a forged one', async () => {
    const session = (await login({ email: ada.email, password: ada.password })).body;
    const [header, , signature] = session.token.split('.');
    const claims = Buffer.from(JSON.stringify({ sub: session.user.id, email: session.user.email, role: 'admin', iss: 'seam', aud: 'seam-api', exp: 4102444800 })).toString('base64url');
    const attempts: Record<string, string>[] = [
      {},
      { authorization: session.token },
      { authorization: 'Bearer not.a.token' },
      { authorization: `Bearer ${header}.${claims}.${signature}` },
    ];
    for (const headers of attempts) {
      expectProblem(await me(headers), 401, 'UNAUTHORIZED');
    }
  });

  it('lets the administrator sign in with ADMIN_PASSWORD', async () => {
    const reply = await login({ email: 'Admin@Seam.local', password: adminPassword });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toMatchObject({ email: 'admin@seam.local', role: 'admin', name: 'Administrator' });
    const profile = await me({ authorization: `Bearer ${reply.body.token}` });
    expect(profile.body).toMatchObject({ role: 'admin' });
  });

  it('never sent a password or a password hash back', () => {
    expect(received.length).toBeGreaterThan(20);
    for (const text of received) {
      for (const secret of [ada.password, adminPassword, 'a racing password', 'scrypt$', 'passwordHash', 'password_hash']) {
        expect(text).not.toContain(secret);
      }
    }
  });
});
