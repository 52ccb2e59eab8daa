/**
 * What the remote binding does with each kind of failure, against real servers on loopback:
 * what a service answers (even "my own dependency is unavailable", even a bug) is passed on,
 * never retried, never held against it; a call that never reached it is retried whatever the
 * method; one cut off mid-way is OUTCOME_UNKNOWN, retried only when idempotent, and stays
 * OUTCOME_UNKNOWN when a later attempt is refused; no instance known does not open the breaker.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { HttpServer } from '../../src/host/http-server.js';
import { defineContract } from '../../src/kernel/contract.js';
import { ServiceUnavailable } from '../../src/kernel/errors.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { Discovery, ServiceInstance } from '../../src/transport/discovery/discovery.js';
import { Balancer } from '../../src/transport/resilience/balancer.js';
import { bindRemote } from '../../src/transport/resilience/remote-binding.js';
import { freePort } from '../support/child-process.js';
import { credentialsFor, serveRpc } from '../support/rpc-server.js';

const ledger = defineContract('ledger', 1, {
  methods: {
    read: { input: z.object({}), output: z.object({ ok: z.boolean() }), errors: [], idempotent: true },
    write: { input: z.object({}), output: z.object({ ok: z.boolean() }), errors: [], idempotent: false },
  },
});

const logger = createLogger({ level: 'silent' });
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Discovery whose instances the test sets. */
const listed = (urls: string[]): Discovery & { urls: string[] } => {
  const discovery = {
    urls,
    instances: (): readonly ServiceInstance[] => discovery.urls.map((url) => ({ id: url, url })),
    close: async () => undefined,
  };
  return discovery;
};

const bind = (discovery: Discovery) =>
  bindRemote(ledger, {
    service: 'ledger',
    balancer: new Balancer(discovery, 'ledger', { strategy: 'round-robin', ejectAfterFailures: 2, ejectForMs: 60_000 }),
    credentials: credentialsFor('caller'),
    timeoutMs: 5000,
    logger,
    resilience: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5, breakAfterFailures: 2, halfOpenAfterMs: 60_000 },
  });

/** A ledger service whose every call fails with `failure`, counting calls. */
const failingLedger = async (failure: () => Error): Promise<{ url: string; calls: () => number }> => {
  let calls = 0;
  const fail = async (): Promise<never> => {
    calls += 1;
    throw failure();
  };
  const server: HttpServer = await serveRpc([{ contract: ledger, api: { read: fail, write: fail } }], undefined, { caller: ['ledger'] });
  closers.push(() => server.close());
  return { url: server.url, calls: () => calls };
};

/** A raw server that takes each request and cuts the connection unanswered (a process dying mid-call). */
const dyingServer = async (options: { closeAfterFirst?: boolean } = {}): Promise<{ url: string; calls: () => number }> => {
  let calls = 0;
  const server: Server = createServer((request) => {
    calls += 1;
    request.socket.destroy();
    if (options.closeAfterFirst) server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${port}`, calls: () => calls };
};

describe('failures through the remote binding', () => {
  it('passes on what the service answered about its own dependency, without retrying it or opening the breaker', async () => {
    const service = await failingLedger(() => ServiceUnavailable.create('shipping is failing; not calling it for now'));
    const binding = bind(listed([service.url]));
    for (let call = 0; call < 6; call += 1) {
      await expect(binding.api.read({})).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', answered: true });
    }
    expect(service.calls()).toBe(6); // each call once: no retries, and the instance was never ejected
    expect(binding.breakerState()).toBe('closed');
  });

  it('neither retries nor counts an INTERNAL answer', async () => {
    const service = await failingLedger(() => new Error('a bug'));
    const binding = bind(listed([service.url]));
    for (let call = 0; call < 4; call += 1) await expect(binding.api.read({})).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(service.calls()).toBe(4);
    expect(binding.breakerState()).toBe('closed');
  });

  it('retries a call that never reached the service, even one that is not idempotent', async () => {
    let writes = 0;
    const live = await serveRpc(
      [{ contract: ledger, api: { read: async () => ({ ok: true }), write: async () => ((writes += 1), { ok: true }) } }],
      undefined,
      { caller: ['ledger'] },
    );
    closers.push(() => live.close());
    const refused = `http://127.0.0.1:${await freePort()}`;
    const binding = bind(listed([refused, live.url]));
    for (let call = 0; call < 4; call += 1) expect(await binding.api.write({})).toEqual({ ok: true });
    expect(writes).toBe(4);
  });

  it('reports a call cut off mid-way as OUTCOME_UNKNOWN, retried only when idempotent', async () => {
    const service = await dyingServer();
    const binding = bind(listed([service.url]));
    await expect(binding.api.write({})).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', kind: 'outcome-unknown' });
    expect(service.calls()).toBe(1);
    await expect(bind(listed([service.url])).api.read({})).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(service.calls()).toBe(4);
  });

  it('keeps OUTCOME_UNKNOWN when attempts after one that may have run are refused', async () => {
    const service = await dyingServer({ closeAfterFirst: true });
    const binding = bind(listed([service.url]));
    const failure = await binding.api.read({}).catch((error: unknown) => error);
    expect(service.calls()).toBe(1);
    // The last attempt found nobody listening (REMOTE_CALL_FAILED), but the first may have run.
    expect(failure).toMatchObject({ code: 'OUTCOME_UNKNOWN', cause: { code: 'REMOTE_CALL_FAILED' } });
  });

  it('does not open the breaker while no instance is known, and calls the first one found', async () => {
    let reads = 0;
    const live = await serveRpc([{ contract: ledger, api: { read: async () => ((reads += 1), { ok: true }), write: async () => ({ ok: true }) } }], undefined, {
      caller: ['ledger'],
    });
    closers.push(() => live.close());
    const discovery = listed([]);
    const binding = bind(discovery);
    for (let call = 0; call < 5; call += 1) await expect(binding.api.read({})).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(binding.breakerState()).toBe('closed');
    discovery.urls = [live.url];
    expect(await binding.api.read({})).toEqual({ ok: true });
    expect(reads).toBe(1);
  });
});
