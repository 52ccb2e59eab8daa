/**
 * When DNS discovery asks again, on a fake clock: at the answer's TTL, clamped so a TTL of 0
 * cannot make it spin and a TTL of a day cannot make it stale; SRV answers on the interval.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../kernel/logger.js';
import { dnsDiscovery, type DnsResolver } from './dns-discovery.js';

const logger = createLogger({ level: 'silent' });
const refreshMs = 5000;
const minRefreshMs = 1000;

/** A resolver whose A answers carry `ttl`, counting the lookups it is asked. */
const counting = (ttl: number, addresses: () => string[] = () => ['10.0.0.1']) => {
  const calls = { a: 0, srv: 0 };
  const resolver: DnsResolver = {
    resolve4: async () => {
      calls.a += 1;
      return addresses().map((address) => ({ address, ttl }));
    },
    resolveSrv: async () => {
      calls.srv += 1;
      return [{ name: 'orders-0', port: 8080 }];
    },
  };
  return { calls, resolver };
};

describe('DNS discovery re-resolution', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const discoveryOf = (resolver: DnsResolver, record: 'A' | 'SRV' = 'A') =>
    dnsDiscovery({ services: { inventory: { name: 'inventory', record, port: 3000 } }, refreshMs, minRefreshMs, logger, resolver });

  it('asks again when a 2 s TTL runs out, and picks up the new answer', async () => {
    let addresses = ['10.0.0.1'];
    const { calls, resolver } = counting(2, () => addresses);
    const discovery = discoveryOf(resolver);
    await discovery.refresh();
    addresses = ['10.0.0.1', '10.0.0.2'];
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls.a).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.a).toBe(2);
    expect(discovery.instances('inventory').map((instance) => instance.url)).toEqual(['http://10.0.0.1:3000', 'http://10.0.0.2:3000']);
    await discovery.close();
  });

  it('waits at least minRefreshMs on a TTL of 0', async () => {
    const { calls, resolver } = counting(0);
    const discovery = discoveryOf(resolver);
    await discovery.refresh();
    await vi.advanceTimersByTimeAsync(minRefreshMs - 1);
    expect(calls.a).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.a).toBe(2);
    await vi.advanceTimersByTimeAsync(10 * minRefreshMs);
    expect(calls.a).toBe(12);
    await discovery.close();
  });

  it('asks again after refreshMs however long the TTL', async () => {
    const { calls, resolver } = counting(86_400);
    const discovery = discoveryOf(resolver);
    await discovery.refresh();
    await vi.advanceTimersByTimeAsync(refreshMs - 1);
    expect(calls.a).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.a).toBe(2);
    await discovery.close();
  });

  it('asks for SRV records every refreshMs, and retries a failed lookup after refreshMs', async () => {
    const { calls, resolver } = counting(1);
    const srv = discoveryOf(resolver, 'SRV');
    await srv.refresh();
    await vi.advanceTimersByTimeAsync(refreshMs - 1);
    expect(calls.srv).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.srv).toBe(2);
    await srv.close();

    let lookups = 0;
    const failing = dnsDiscovery({
      services: { inventory: { name: 'inventory', record: 'A', port: 3000 } },
      refreshMs,
      minRefreshMs,
      logger,
      resolver: {
        resolve4: async () => {
          lookups += 1;
          throw new Error('ECONNREFUSED');
        },
        resolveSrv: async () => [],
      },
    });
    await failing.refresh();
    await vi.advanceTimersByTimeAsync(refreshMs - 1);
    expect(lookups).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(lookups).toBe(2);
    await failing.close();
  });

  it('stops asking once closed', async () => {
    const { calls, resolver } = counting(1);
    const discovery = discoveryOf(resolver);
    await discovery.refresh();
    await discovery.close();
    await vi.advanceTimersByTimeAsync(10 * refreshMs);
    expect(calls.a).toBe(1);
  });
});
