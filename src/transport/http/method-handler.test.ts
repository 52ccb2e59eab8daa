/**
 * One served method on its own (hono's app.request(), no server): the order of its checks,
 * the caller's trace and deadline around the method, and exactly one answer per call.
 */
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { currentCall, type CallContext } from '../../kernel/call-context.js';
import { contractCallSpan } from '../../kernel/tracing.js';
import type { MethodSpec } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { CallerNotAllowed } from './caller-permissions.js';
import { methodHandler, type Method } from './method-handler.js';
import { serviceCredentials } from './service-credential.js';

const secret = 'method-handler-secret-method-handler-0123';
const Refused = defineError('REFUSED', 'conflict', 'Refused');
const spec: MethodSpec = {
  input: z.object({ ms: z.number() }),
  output: z.object({ ok: z.literal(true) }),
  errors: [Refused],
  idempotent: true,
};

/** A served method whose behaviour each test chooses, with what it saw and what was logged. */
const serve = (behave: (input: { ms: number }) => Promise<unknown>) => {
  const seen: { input: unknown; call: CallContext | undefined }[] = [];
  const logged = vi.fn();
  const method: Method = (input) => {
    seen.push({ input, call: currentCall() });
    return behave(input as { ms: number });
  };
  const app = new Hono();
  app.post(
    '/rpc/m/v1/go',
    methodHandler({
      where: 'm/v1.go',
      span: contractCallSpan('m/v1', 'go'),
      spec,
      method,
      credentials: serviceCredentials({ secret, service: 'server' }),
      callers: new Set(['caller']),
      deny: (caller) => CallerNotAllowed.create(`${caller} may not call m/v1`),
      logger: { error: logged } as unknown as Logger,
    }),
  );
  return { app, seen, logged };
};

const tokenOf = (service: string) => serviceCredentials({ secret, service }).current();

const call = async (app: Hono, options: { credential?: string; timeoutMs?: number; traceparent?: string; body?: string }) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.credential !== undefined) headers['x-seam-credential'] = options.credential;
  if (options.timeoutMs !== undefined) headers['x-seam-timeout-ms'] = String(options.timeoutMs);
  if (options.traceparent !== undefined) headers['traceparent'] = options.traceparent;
  const response = await app.request('/rpc/m/v1/go', { method: 'POST', headers, body: options.body ?? '{"ms":0}' });
  return { status: response.status, body: (await response.json()) as { error?: { code: string }; ok?: boolean } };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('method handler', () => {
  it('checks credential, caller, deadline and input in that order, before the method runs', async () => {
    const { app, seen } = serve(async () => ({ ok: true }));
    const everythingWrong = { timeoutMs: 0, body: '{"ms":"soon"}' };
    expect(await call(app, everythingWrong)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(await call(app, { ...everythingWrong, credential: await tokenOf('stranger') })).toMatchObject({
      status: 403,
      body: { error: { code: 'CALLER_NOT_ALLOWED' } },
    });
    const credential = await tokenOf('caller');
    expect(await call(app, { ...everythingWrong, credential })).toMatchObject({ status: 504, body: { error: { code: 'DEADLINE_EXCEEDED' } } });
    expect(await call(app, { credential, timeoutMs: 1000, body: '{"ms":"soon"}' })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(await call(app, { credential, body: '{' })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(seen).toEqual([]);
  });

  it('runs the method on the checked input, in the caller’s trace and deadline', async () => {
    const { app, seen } = serve(async () => ({ ok: true }));
    const traceId = 'e'.repeat(32);
    const before = Date.now();
    const answer = await call(app, { credential: await tokenOf('caller'), timeoutMs: 1000, traceparent: `00-${traceId}-${'f'.repeat(16)}-01`, body: '{"ms":0,"extra":1}' });
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.input).toEqual({ ms: 0 });
    expect(seen[0]!.call).toMatchObject({ traceId, spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(seen[0]!.call!.deadline).toBeGreaterThanOrEqual(before + 1000);
    expect(seen[0]!.call!.deadline).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('answers a domain error with its kind and the status of its kind, and output that breaks the contract with 500', async () => {
    const credential = await tokenOf('caller');
    const refusing = serve(async () => Promise.reject(Refused.create('No')));
    // `status` in the body is for callers of earlier versions, which read no kind.
    expect(await call(refusing.app, { credential })).toMatchObject({ status: 409, body: { error: { code: 'REFUSED', kind: 'conflict', status: 409, message: 'No' } } });
    expect(refusing.logged).not.toHaveBeenCalled();
    const broken = serve(async () => ({ ok: 'yes' }));
    expect(await call(broken.app, { credential })).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
    expect(broken.logged).toHaveBeenCalledTimes(1);
  });

  it('answers at the deadline and drops the late result, or the late failure, of the method', async () => {
    const credential = await tokenOf('caller');
    for (const outcome of [() => ({ ok: true }), () => Promise.reject(new Error('too late to matter'))]) {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let finished = false;
      const { app, logged } = serve(async () => {
        await held; // the method ends only when the test says so, after its caller's deadline
        finished = true;
        return outcome();
      });
      expect(await call(app, { credential, timeoutMs: 50 })).toMatchObject({ status: 504, body: { error: { code: 'DEADLINE_EXCEEDED' } } });
      expect(finished).toBe(false);
      release();
      await vi.waitFor(() => expect(finished).toBe(true));
      await new Promise((resolve) => setImmediate(resolve));
      // Only the deadline was answered (and logged, as a 5xx); the method's outcome went nowhere.
      expect(logged).toHaveBeenCalledTimes(1);
      expect(logged.mock.calls[0]![0]).toMatchObject({ err: { code: 'DEADLINE_EXCEEDED' } });
    }
  });
});
