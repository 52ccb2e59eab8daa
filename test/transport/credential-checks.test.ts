/**
 * What an RPC server checks before anything else, on the transport alone: the credential,
 * signed with any of the deployment's current secrets (so one rotates without downtime), and
 * a caller it knows; a stranger gets 401 wherever it knocks, never a 404 naming what exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { HttpServer } from '../../src/host/http-server.js';
import { defineContract, type ContractApi } from '../../src/kernel/contract.js';
import { bindHttp } from '../../src/transport/http/rpc-client.js';
import { credentialsFor, serveRpc } from '../support/rpc-server.js';

const echo = defineContract('echo', 1, {
  methods: { echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string() }), errors: [], idempotent: true } },
});
const implementation: ContractApi<typeof echo> = { echo: async ({ text }) => ({ text }) };

const newSecret = 'rotation-new-secret-rotation-new-secret-0123';
const oldSecret = 'rotation-old-secret-rotation-old-secret-0123';
const strangerSecret = 'rotation-stranger-secret-rotation-strange-01';

let server: HttpServer;
beforeAll(async () => {
  // Mid-rotation: signs with the new secret, still accepts the old one.
  server = await serveRpc([{ contract: echo, api: implementation }], [newSecret, oldSecret], { caller: ['echo'], idle: [] });
});
afterAll(() => server?.close());

const callerSigningWith = (secret: string, service = 'caller') => bindHttp(echo, { endpoint: () => server.url, credentials: credentialsFor(service, secret), timeoutMs: 3000 });

const post = async (path: string, credential?: string) => {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(credential === undefined ? {} : { 'x-seam-credential': credential }) },
    body: '{"text":"hi"}',
  });
  return { status: response.status, code: ((await response.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code };
};

describe('secret rotation', () => {
  it('accepts a caller still signing with the old secret, and one already on the new', async () => {
    expect(await callerSigningWith(oldSecret).echo({ text: 'old' })).toEqual({ text: 'old' });
    expect(await callerSigningWith(newSecret).echo({ text: 'new' })).toEqual({ text: 'new' });
  });

  it('refuses a caller signing with a secret not in the list', async () => {
    await expect(callerSigningWith(strangerSecret).echo({ text: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthenticated' });
  });
});

describe('credential before routing', () => {
  it('answers 401, not 404, to an unknown path called without a genuine credential', async () => {
    const forged = await credentialsFor('caller', strangerSecret).current();
    for (const path of ['/rpc/echo/v1/shout', '/rpc/echo/v2/echo', '/rpc/nothing/v1/echo', '/rpc/echo']) {
      expect(await post(path)).toEqual({ status: 401, code: 'UNAUTHORIZED' });
      expect(await post(path, forged)).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('answers 403 to a known caller allowed nothing, on a method that exists and one that does not', async () => {
    const idle = await credentialsFor('idle', newSecret).current();
    expect(await post('/rpc/echo/v1/echo', idle)).toEqual({ status: 403, code: 'CALLER_NOT_ALLOWED' });
    expect(await post('/rpc/echo/v1/shout', idle)).toEqual({ status: 403, code: 'CALLER_NOT_ALLOWED' });
    expect(await post('/rpc/nothing/v1/echo', idle)).toEqual({ status: 404, code: 'UNKNOWN_CONTRACT' });
  });

  it('answers 401 to a genuine credential naming a caller it does not know', async () => {
    const unknown = await credentialsFor('unknown', oldSecret).current();
    expect(await post('/rpc/echo/v1/echo', unknown)).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(await post('/rpc/echo/v1/shout', unknown)).toEqual({ status: 401, code: 'UNAUTHORIZED' });
  });
});
