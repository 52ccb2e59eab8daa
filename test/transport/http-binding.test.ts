/**
 * What only the HTTP binding has to get right: credentials, versions, deadlines, traces,
 * forward compatibility, and telling "it failed" from "it may have run".
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { HttpServer } from '../../src/host/http-server.js';
import { currentCall, newSpanId, runInCall } from '../../src/kernel/call-context.js';
import { defineContract, type ContractApi } from '../../src/kernel/contract.js';
import { defineError, SeamError } from '../../src/kernel/errors.js';
import { bindHttp } from '../../src/transport/http/rpc-client.js';
import { Gate } from '../support/fault-injection.js';
import { credentialsFor, serveRpc } from '../support/rpc-server.js';

const Refused = defineError('REFUSED', 'conflict', 'Refused');

const echoV1 = defineContract('echo', 1, {
  methods: {
    echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string(), traceId: z.string().nullable() }), errors: [], idempotent: true },
    refuse: { input: z.object({}), output: z.object({}), errors: [Refused], idempotent: true },
    /** Waits until the test opens `held`. */
    hold: { input: z.object({}), output: z.object({ finished: z.boolean() }), errors: [], idempotent: true },
    /** How much time the server was told the caller has left, in ms. */
    budget: { input: z.object({}), output: z.object({ remainingMs: z.number().nullable() }), errors: [], idempotent: true },
  },
});
/** The same contract one minor version later: an optional field added. */
const echoV1Newer = defineContract('echo', 1, {
  methods: {
    echo: {
      input: z.object({ text: z.string(), shout: z.boolean().optional() }),
      output: z.object({ text: z.string(), traceId: z.string().nullable() }),
      errors: [],
      idempotent: true,
    },
  },
});
const echoV2 = defineContract('echo', 2, { methods: echoV1.methods });

const seen: { inputs: unknown[] } = { inputs: [] };
let held = new Gate();
const implementation: ContractApi<typeof echoV1> = {
  async echo(input) {
    seen.inputs.push(input);
    return { text: input.text, traceId: currentCall()?.traceId ?? null };
  },
  async refuse() {
    throw Refused.create('No, thank you', { why: 'testing' });
  },
  async hold() {
    await held.pass();
    return { finished: true };
  },
  async budget() {
    const deadline = currentCall()?.deadline;
    return { remainingMs: deadline === undefined ? null : deadline - Date.now() };
  },
};

let server: HttpServer;
/** Takes connections and never answers: what a frozen process looks like to a caller. */
let silent: Server;
const silentSockets: Socket[] = [];
const credentials = credentialsFor('caller');
const client = (timeoutMs = 2000, endpoint = () => server.url) => bindHttp(echoV1, { endpoint, credentials, timeoutMs });

beforeAll(async () => {
  server = await serveRpc([{ contract: echoV1, api: implementation as ContractApi<typeof echoV1> }]);
  silent = createServer((socket) => silentSockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  held.open();
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await server?.close();
});

const post = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"text":"hi"}' });

describe('HTTP binding', () => {
  it('calls through and back', async () => {
    expect(await client().echo({ text: 'hello' })).toEqual({ text: 'hello', traceId: expect.any(String) });
  });

  it('carries the caller’s trace id to the server', async () => {
    const traceId = 'a'.repeat(32);
    const answer = await runInCall({ traceId, spanId: newSpanId() }, () => client().echo({ text: 'traced' }));
    expect(answer.traceId).toBe(traceId);
  });

  it('rebuilds a domain error as a SeamError with the same code, kind and details', async () => {
    const error = await client().refuse({}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SeamError);
    expect(Refused.is(error)).toBe(true);
    expect((error as SeamError).toJSON()).toEqual({ code: 'REFUSED', kind: 'conflict', message: 'No, thank you', details: { why: 'testing' } });
  });

  it('answers 401 to a call without a credential, and to a forged one', async () => {
    const missing = await post('/rpc/echo/v1/echo');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const forged = await credentialsFor('intruder', 'another-secret-another-secret-0123456789').current();
    expect((await post('/rpc/echo/v1/echo', { 'x-seam-credential': forged })).status).toBe(401);
    const forger = bindHttp(echoV1, { endpoint: () => server.url, credentials: credentialsFor('intruder', 'another-secret-another-secret-0123456789'), timeoutMs: 1000 });
    await expect(forger.echo({ text: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthenticated' });
  });

  it('answers an unknown major version with 404 UNKNOWN_CONTRACT_VERSION', async () => {
    const future = bindHttp(echoV2, { endpoint: () => server.url, credentials, timeoutMs: 1000 });
    await expect(future.echo({ text: 'x' })).rejects.toMatchObject({ code: 'UNKNOWN_CONTRACT_VERSION', kind: 'not-found', details: { served: 1 } });
    const unknown = await post('/rpc/nothing/v1/echo', { 'x-seam-credential': await credentials.current() });
    expect(await unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_CONTRACT' } });
  });

  it('answers a method the contract lacks with 404 UNKNOWN_METHOD', async () => {
    const unknown = await post('/rpc/echo/v1/shout', { 'x-seam-credential': await credentials.current() });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_METHOD' } });
  });

  it('runs the method in the caller’s trace', async () => {
    const traceId = 'c'.repeat(32);
    const response = await post('/rpc/echo/v1/echo', { 'x-seam-credential': await credentials.current(), traceparent: `00-${traceId}-${'d'.repeat(16)}-01` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: 'hi', traceId });
  });

  it('rejects input that breaks the contract with 400 VALIDATION_FAILED', async () => {
    const response = await fetch(`${server.url}/rpc/echo/v1/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-seam-credential': await credentials.current() },
      body: '{"text":42}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const notJson = await fetch(`${server.url}/rpc/echo/v1/echo`, { method: 'POST', headers: { 'x-seam-credential': await credentials.current() }, body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('ignores fields a newer minor version of the caller sends', async () => {
    const newer = bindHttp(echoV1Newer, { endpoint: () => server.url, credentials, timeoutMs: 1000 });
    seen.inputs.length = 0;
    expect(await newer.echo({ text: 'hey', shout: true })).toMatchObject({ text: 'hey' });
    expect(seen.inputs).toEqual([{ text: 'hey' }]);
  });

  it('gives up at the caller’s timeout, with DEADLINE_EXCEEDED, on a server that never answers', async () => {
    const { port } = silent.address() as { port: number };
    const frozen = client(200, () => `http://127.0.0.1:${port}`);
    await expect(frozen.echo({ text: 'anyone there?' })).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED', message: 'echo/v1.echo did not answer within 200 ms' });
  });

  it('sends the remaining time, so the server stops waiting when the caller would', async () => {
    held = new Gate();
    try {
      const response = await fetch(`${server.url}/rpc/echo/v1/hold`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-seam-credential': await credentials.current(), 'x-seam-timeout-ms': '100' },
        body: '{}',
      });
      // The method is still held: only the caller's deadline can have ended the call.
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ error: { code: 'DEADLINE_EXCEEDED' } });
    } finally {
      held.open();
    }
  });

  it('uses a shorter deadline inherited from the calling request', async () => {
    const inherited = { traceId: 'b'.repeat(32), spanId: newSpanId(), deadline: Date.now() + 5000 };
    const { remainingMs } = await runInCall(inherited, () => client(600_000).budget({}));
    // At most what the calling request had left (time only passes), nowhere near the binding's own 600 s.
    expect(remainingMs).not.toBeNull();
    expect(remainingMs!).toBeLessThanOrEqual(5000);
    const alone = await client(600_000).budget({});
    expect(alone.remainingMs!).toBeGreaterThan(5000);
  });

  it('reports a server that cannot be reached as REMOTE_CALL_FAILED', async () => {
    const nowhere = bindHttp(echoV1, { endpoint: () => 'http://127.0.0.1:9', credentials, timeoutMs: 1000 });
    await expect(nowhere.echo({ text: 'x' })).rejects.toMatchObject({ code: 'REMOTE_CALL_FAILED', kind: 'unavailable' });
    const unusable = bindHttp(echoV1, { endpoint: () => 'echo:3000', credentials, timeoutMs: 1000 });
    await expect(unusable.echo({ text: 'x' })).rejects.toMatchObject({ code: 'REMOTE_CALL_FAILED' });
  });

  it('takes a base URL with a trailing slash', async () => {
    const slashed = bindHttp(echoV1, { endpoint: () => `${server.url}/`, credentials, timeoutMs: 1000 });
    expect(await slashed.echo({ text: 'slash' })).toMatchObject({ text: 'slash' });
  });
});
