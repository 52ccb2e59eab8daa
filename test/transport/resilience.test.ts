/**
 * Resilience against real servers on loopback: a dead instance among three, every instance
 * down and back, a hanging server, retries only where safe, and a full bulkhead.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { listen, type HttpServer } from '../../src/host/http-server.js';
import { defineContract, type ContractApi } from '../../src/kernel/contract.js';
import { createLogger } from '../../src/kernel/logger.js';
import { staticDiscovery } from '../../src/transport/discovery/discovery.js';
import { rpcServer } from '../../src/transport/http/rpc-server.js';
import { Balancer } from '../../src/transport/resilience/balancer.js';
import { bindRemote, type ResilienceOptions } from '../../src/transport/resilience/remote-binding.js';
import { credentialsFor } from '../support/rpc-server.js';

const counter = defineContract('counter', 1, {
  methods: {
    /** Safe to retry. */
    read: { input: z.object({}), output: z.object({ instance: z.string() }), errors: [], idempotent: true },
    /** Not safe to retry. */
    bump: { input: z.object({}), output: z.object({ instance: z.string() }), errors: [], idempotent: false },
    hang: { input: z.object({}), output: z.object({}), errors: [], idempotent: true },
    slow: { input: z.object({ ms: z.number() }), output: z.object({}), errors: [], idempotent: true },
  },
});

const logger = createLogger({ level: 'silent' });
const credentials = credentialsFor('client');

interface Instance {
  name: string;
  calls: number;
  broken: boolean;
  server?: HttpServer;
  port: number;
}

const open: Instance[] = [];

const startInstance = async (name: string, port = 0): Promise<Instance> => {
  const instance: Instance = { name, calls: 0, broken: false, port };
  const api: ContractApi<typeof counter> = {
    read: async () => {
      instance.calls += 1;
      if (instance.broken) throw new Error('instance is broken');
      return { instance: name };
    },
    bump: async () => {
      instance.calls += 1;
      if (instance.broken) throw new Error('instance is broken');
      return { instance: name };
    },
    hang: () => {
      instance.calls += 1;
      return new Promise(() => undefined);
    },
    slow: ({ ms }) => new Promise((resolve) => setTimeout(() => resolve({}), ms)),
  };
  const app = rpcServer({ served: [{ contract: counter, api: api as ContractApi<typeof counter> }], credentials: credentialsFor('server'), callers: { client: [counter.name] }, logger });
  // A broken instance dies mid-call: it takes the request and cuts the connection, unanswered.
  const serve = (request: Request, env?: { incoming?: IncomingMessage }): Response | Promise<Response> => {
    if (!instance.broken) return app.fetch(request);
    instance.calls += 1;
    env?.incoming?.socket.destroy();
    return new Promise<Response>(() => undefined);
  };
  instance.server = await listen(serve, '127.0.0.1', port);
  instance.port = instance.server.port;
  open.push(instance);
  return instance;
};

const stop = async (instance: Instance): Promise<void> => {
  await instance.server?.close();
  instance.server = undefined;
};

const client = (instances: Instance[], resilience: Partial<ResilienceOptions> = {}, timeoutMs = 1000) => {
  const discovery = staticDiscovery({ counter: instances.map((instance) => `http://127.0.0.1:${instance.port}`) });
  const balancer = new Balancer(discovery, 'counter', { strategy: 'round-robin', ejectAfterFailures: 2, ejectForMs: 10_000 });
  return bindRemote(counter, {
    service: 'counter',
    balancer,
    logger,
    credentials,
    timeoutMs,
    resilience: { initialDelayMs: 5, maxDelayMs: 20, halfOpenAfterMs: 300, breakAfterFailures: 3, ...resilience },
  });
};

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map(stop));
});

describe('remote binding resilience', () => {
  it('keeps succeeding through the others when one of three instances is killed', async () => {
    const instances = await Promise.all(['a', 'b', 'c'].map((name) => startInstance(name)));
    const { api } = client(instances);
    await stop(instances[1]!);
    const answers = [];
    for (let index = 0; index < 30; index += 1) answers.push((await api.read({})).instance);
    expect(new Set(answers)).toEqual(new Set(['a', 'c']));
  });

  it('opens the breaker when every instance is down, then answers without calling the service until its interval has passed', async () => {
    // The breaker reads the clock (no timer) to know when to let a probe through: only the
    // clock is faked, so sockets, retries and timeouts stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    const halfOpenAfterMs = 60_000;
    const only = await startInstance('solo');
    const binding = client([only], { halfOpenAfterMs });
    expect(await binding.api.read({})).toEqual({ instance: 'solo' });
    const port = only.port;
    await stop(only);
    for (let index = 0; index < 3; index += 1) await expect(binding.api.read({})).rejects.toMatchObject({ code: 'REMOTE_CALL_FAILED' });
    expect(binding.breakerState()).toBe('open');

    // Back on the same port, but while the breaker is open no call reaches it.
    const back = await startInstance('solo-again', port);
    await expect(binding.api.read({})).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { breaker: 'open' } });
    vi.advanceTimersByTime(halfOpenAfterMs - 1);
    await expect(binding.api.read({})).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { breaker: 'open' } });
    expect(back.calls).toBe(0);

    // Once the interval has passed, one probe goes through, and its success closes the breaker.
    vi.advanceTimersByTime(1);
    expect(await binding.api.read({})).toEqual({ instance: 'solo-again' });
    expect(back.calls).toBe(1);
    expect(binding.breakerState()).toBe('closed');
  });

  it('gives up on a hanging server at the timeout, not before', async () => {
    const instance = await startInstance('hangs');
    const { api } = client([instance], { maxAttempts: 1 }, 200);
    const started = performance.now();
    // The method never answers: only the client's timeout can end the call.
    await expect(api.hang({})).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(instance.calls).toBe(1);
    // A lower bound only: a slow machine can make the call last longer, never shorter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('retries an idempotent method but never a non-idempotent one', async () => {
    const instance = await startInstance('flaky');
    instance.broken = true;
    const { api } = client([instance], { maxAttempts: 3, breakAfterFailures: 100 });
    await expect(api.read({})).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(instance.calls).toBe(3);
    instance.calls = 0;
    await expect(api.bump({})).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(instance.calls).toBe(1);
  });

  it('caps concurrent calls with a bulkhead', async () => {
    const instance = await startInstance('busy');
    const { api } = client([instance], { maxConcurrent: 2, maxQueued: 0 });
    const calls = [api.slow({ ms: 200 }), api.slow({ ms: 200 }), api.slow({ ms: 200 })];
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { bulkhead: 'full' } });
  });

  it('passes domain errors through without counting them against the service', async () => {
    const instance = await startInstance('strict');
    const binding = client([instance], { breakAfterFailures: 2 });
    for (let index = 0; index < 5; index += 1) {
      await expect(binding.api.slow({ ms: 'x' } as unknown as { ms: number })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(binding.breakerState()).toBe('closed');
  });
});
