/**
 * A rolling upgrade puts peers of different versions on either end of a call. Errors on the
 * wire carry their kind; a peer of an earlier version sent only an HTTP status, and a later
 * one may send a kind this version does not know: both are still understood, the kind taken
 * from the status the way the earlier version read it. And what this version answers still
 * carries the status an earlier caller reads.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { HttpServer } from '../../src/host/http-server.js';
import { defineContract, type ContractApi } from '../../src/kernel/contract.js';
import { defineError, SeamError } from '../../src/kernel/errors.js';
import { isCallFailure, isRefusal } from '../../src/kernel/failures.js';
import { httpStatusOf } from '../../src/gateway/public-status.js';
import { shopStatuses } from '../../src/api/statuses.js';
import { bindHttp } from '../../src/transport/http/rpc-client.js';
import { credentialsFor, serveRpc } from '../support/rpc-server.js';

const Taken = defineError('TAKEN', 'conflict', 'Already taken');

const peerContract = defineContract('peer', 1, {
  methods: { act: { input: z.object({}), output: z.object({}), errors: [Taken], idempotent: true } },
});

/** What the fake peer answers the next call with: an HTTP status and a JSON body. */
let nextAnswer: { readonly status: number; readonly body: unknown } = { status: 200, body: {} };

let peer: Server;
let peerUrl: string;
let current: HttpServer;
const credentials = credentialsFor('caller');

beforeAll(async () => {
  peer = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(nextAnswer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(nextAnswer.body));
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  peerUrl = `http://127.0.0.1:${(peer.address() as { port: number }).port}`;
  const api: ContractApi<typeof peerContract> = {
    act: async () => {
      throw Taken.create('Someone else has it', { what: 'x' });
    },
  };
  current = await serveRpc([{ contract: peerContract, api: api as ContractApi<typeof peerContract> }]);
});
afterAll(async () => {
  await new Promise((resolve) => peer?.close(resolve));
  await current?.close();
});

/** The error a call to the fake peer fails with, when it answers `status` with `{ error }`. */
const failureFromPeer = async (status: number, error: Record<string, unknown>): Promise<SeamError> => {
  nextAnswer = { status, body: { error } };
  const caught = await bindHttp(peerContract, { endpoint: () => peerUrl, credentials, timeoutMs: 2000 })
    .act({})
    .catch((thrown: unknown) => thrown);
  expect(caught).toBeInstanceOf(SeamError);
  return caught as SeamError;
};

describe('errors between peers of different versions', () => {
  it('reads the kind from the status an earlier peer sends alone, as its answer', async () => {
    const taken = await failureFromPeer(409, { code: 'OUT_OF_STOCK', status: 409, message: 'Not enough stock', details: { productIds: ['p-1'] } });
    expect(taken.toJSON()).toEqual({ code: 'OUT_OF_STOCK', kind: 'conflict', message: 'Not enough stock', details: { productIds: ['p-1'] } });
    expect(taken.answered).toBe(true);
    expect(isRefusal(taken)).toBe(true);

    const unavailable = await failureFromPeer(503, { code: 'PAYMENT_FAILED', status: 503, message: 'try again later' });
    expect(unavailable.kind).toBe('unavailable');
    // The peer answered: its dependency being down is not held against the peer itself.
    expect(isCallFailure(unavailable)).toBe(false);
  });

  it('keeps the public status an earlier peer’s error had', async () => {
    const declined = await failureFromPeer(402, { code: 'PAYMENT_DECLINED', status: 402, message: 'The card was declined' });
    expect(declined.kind).toBe('refused');
    expect(httpStatusOf(declined, shopStatuses)).toBe(402);
    const invalid = await failureFromPeer(400, { code: 'CARD_INVALID', status: 400, message: 'bad card' });
    expect(invalid.kind).toBe('invalid');
    expect(httpStatusOf(invalid)).toBe(400);
  });

  it('takes the kind an earlier peer sent where its status did not imply it', async () => {
    const unknown = await failureFromPeer(503, { code: 'OUTCOME_UNKNOWN', status: 503, message: 'it may have run', kind: 'outcome-unknown' });
    expect(unknown.kind).toBe('outcome-unknown');
  });

  it('reads a kind it does not know, from a later peer, by the status sent with it', async () => {
    expect((await failureFromPeer(429, { code: 'QUOTA_GONE', kind: 'quota-gone', status: 429, message: 'later' })).kind).toBe('exhausted');
    // Neither a kind nor a status in the body: the answer's own status.
    expect((await failureFromPeer(404, { code: 'WHO', message: 'no one' })).kind).toBe('not-found');
  });

  it('answers with the kind, and the status an earlier caller reads, in body and head', async () => {
    const response = await fetch(`${current.url}/rpc/peer/v1/act`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-seam-credential': await credentials.current() },
      body: '{}',
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: { code: 'TAKEN', kind: 'conflict', status: 409, message: 'Someone else has it', details: { what: 'x' } } });
  });
});
