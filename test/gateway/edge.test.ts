/**
 * The HTTP edge itself: probes, request ids, problem+json for every failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { getJson, startTestApp } from '../support/test-app.js';

describe('gateway edge', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers liveness and readiness', async () => {
    expect(await getJson(app, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await getJson(app, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' } } });
  });

  it('gives every response a request id, and keeps a sensible one the caller sent', async () => {
    const generated = await fetch(`${app.url}/api/v1/categories`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${app.url}/api/v1/categories`, { headers: { 'x-request-id': 'trace-me-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-me-123');
  });

  it('puts the request id into the problem document', async () => {
    const response = await fetch(`${app.url}/api/v1/products?limit=x`, { headers: { 'x-request-id': 'req-42' } });
    expect(await response.json()).toMatchObject({ requestId: 'req-42' });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await getJson(app, '/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'NOT_FOUND', detail: 'No route for GET /api/v1/nothing-here' });
  });

  it('says not ready, with a 503, once the database is gone', async () => {
    const doomed = await startTestApp();
    await doomed.database?.close();
    const response = await getJson(doomed, '/readyz');
    expect(response).toMatchObject({ status: 503, body: { status: 'not ready', checks: { database: 'unreachable' } } });
    await doomed.lifecycle.stop('test');
  });

  it('answers a failing dependency with a 500 problem that leaks nothing', async () => {
    const broken = await startTestApp();
    await broken.database?.close();
    const response = await getJson<{ detail: string; code: string }>(broken, '/api/v1/categories');
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ code: 'INTERNAL', detail: 'Internal error' });
    expect(JSON.stringify(response.body)).not.toMatch(/pglite|closed|stack/i);
    await broken.lifecycle.stop('test');
  });
});
