import { describe, expect, it } from 'vitest';
import { ConfigError } from '../kernel/environment.js';
import { readEdgeSettings } from './settings.js';

describe('the edge settings', () => {
  it('default to limits per minute, a 10-failure login lock of 15 minutes, and no trusted proxy', () => {
    const edge = readEdgeSettings({});
    expect(edge.trustProxyHops).toBe(0);
    expect(edge.rateLimits).toMatchObject({ enabled: true, default: { points: 600, durationSeconds: 60 }, register: { points: 20, durationSeconds: 3600 } });
    expect(edge.login).toMatchObject({ maxFailures: 10, lockSeconds: 900 });
  });

  it('read each group as requests/seconds', () => {
    const edge = readEdgeSettings({ RATE_LIMIT_ORDERS: '5/10', RATE_LIMIT: 'off', SEAM_TRUST_PROXY_HOPS: '2' });
    expect(edge.rateLimits.orders).toEqual({ points: 5, durationSeconds: 10 });
    expect(edge.rateLimits.enabled).toBe(false);
    expect(edge.trustProxyHops).toBe(2);
  });

  it('refuse a bad value naming the variable and what was given', () => {
    expect(() => readEdgeSettings({ RATE_LIMIT_AUTH: '0/60' })).toThrow(ConfigError);
    expect(() => readEdgeSettings({ RATE_LIMIT_AUTH: '0/60' })).toThrow(/RATE_LIMIT_AUTH: expected "requests\/seconds".*got "0\/60"/);
  });
});
