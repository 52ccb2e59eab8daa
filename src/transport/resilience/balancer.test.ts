import { describe, expect, it } from 'vitest';
import { staticDiscovery } from '../discovery/discovery.js';
import { Balancer, type BalancingStrategy } from './balancer.js';

const discovery = staticDiscovery({ svc: ['http://a', 'http://b', 'http://c'] });
const balancer = (strategy: BalancingStrategy, random?: () => number) =>
  new Balancer(discovery, 'svc', { strategy, ejectAfterFailures: 2, ejectForMs: 60_000, ...(random ? { random } : {}) });

const counts = (pick: () => string, times: number): Record<string, number> => {
  const seen: Record<string, number> = {};
  for (let index = 0; index < times; index += 1) {
    const id = pick();
    seen[id] = (seen[id] ?? 0) + 1;
  }
  return seen;
};

describe('Balancer', () => {
  it('round-robin spreads calls evenly', () => {
    const rr = balancer('round-robin');
    expect(counts(() => { const lease = rr.pick()!; lease.done('success'); return lease.instance.id; }, 300)).toEqual({ 'http://a': 100, 'http://b': 100, 'http://c': 100 });
  });

  it('random reaches every instance', () => {
    const random = balancer('random');
    expect(Object.keys(counts(() => { const lease = random.pick()!; lease.done('success'); return lease.instance.id; }, 300)).sort()).toEqual(['http://a', 'http://b', 'http://c']);
  });

  it('least-outstanding sends new calls away from a busy instance', () => {
    const p2c = balancer('least-outstanding');
    const held = Array.from({ length: 5 }, () => p2c.pick(new Set(['http://b', 'http://c']))!); // five calls stuck on a
    expect(held.every((lease) => lease.instance.id === 'http://a')).toBe(true);
    const picks = counts(() => { const lease = p2c.pick()!; lease.done('success'); return lease.instance.id; }, 200);
    expect(picks['http://a'] ?? 0).toBe(0);
    expect(p2c.outstanding()['http://a']).toBe(5);
  });

  it('ejects an instance after consecutive failures, and skips instances a retry already tried', () => {
    const rr = balancer('round-robin');
    for (let index = 0; index < 6; index += 1) {
      const lease = rr.pick()!;
      lease.done(lease.instance.id === 'http://b' ? 'failure' : 'success');
    }
    const afterEjection = counts(() => { const lease = rr.pick()!; lease.done('success'); return lease.instance.id; }, 100);
    expect(afterEjection['http://b'] ?? 0).toBe(0);
    expect(rr.pick(new Set(['http://a']))!.instance.id).toBe('http://c');
  });

  it('still offers an instance when every one is ejected or tried', () => {
    const rr = balancer('round-robin');
    for (let index = 0; index < 9; index += 1) rr.pick()!.done('failure');
    expect(rr.pick()).toBeDefined();
    expect(rr.pick(new Set(['http://a', 'http://b', 'http://c']))).toBeDefined();
  });

  it('has nothing to offer for a service without instances', () => {
    expect(new Balancer(discovery, 'none', { strategy: 'random', ejectAfterFailures: 1, ejectForMs: 1 }).pick()).toBeUndefined();
  });
});
