import { describe, expect, it } from 'vitest';
import { ConfigError } from '../kernel/environment.js';
import { readEdgeSettings, type RouteLimit } from './settings.js';

/** Route groups as an application's edge declares them. */
const routeLimits: readonly RouteLimit[] = [
  { name: 'writes', method: 'POST', path: '/things', per: 'user', defaultRule: '120/60' },
  { name: 'signup', method: 'POST', path: '/signup', per: 'address', defaultRule: '20/3600' },
];

describe('the edge settings', () => {
  it('default to limits per minute, each route group its declared rule, a 10-failure login lock of 15 minutes, and no trusted proxy', () => {
    const edge = readEdgeSettings({}, routeLimits);
    expect(edge.trustProxyHops).toBe(0);
    expect(edge.rateLimits).toMatchObject({ enabled: true, default: { points: 600, durationSeconds: 60 }, routes: { signup: { points: 20, durationSeconds: 3600 } } });
    expect(edge.login).toMatchObject({ maxFailures: 10, lockSeconds: 900 });
  });

  it('read each group from RATE_LIMIT_<NAME> as requests/seconds', () => {
    const edge = readEdgeSettings({ RATE_LIMIT_WRITES: '5/10', RATE_LIMIT: 'off', SEAM_TRUST_PROXY_HOPS: '2' }, routeLimits);
    expect(edge.rateLimits.routes['writes']).toEqual({ points: 5, durationSeconds: 10 });
    expect(edge.rateLimits.enabled).toBe(false);
    expect(edge.trustProxyHops).toBe(2);
  });

  it('refuse a bad value naming the variable and what was given', () => {
    expect(() => readEdgeSettings({ RATE_LIMIT_SIGNUP: '0/60' }, routeLimits)).toThrow(ConfigError);
    expect(() => readEdgeSettings({ RATE_LIMIT_SIGNUP: '0/60' }, routeLimits)).toThrow(/RATE_LIMIT_SIGNUP: expected "requests\/seconds".*got "0\/60"/);
    expect(() => readEdgeSettings({ RATE_LIMIT_DEFAULT: '1/0' })).toThrow(/RATE_LIMIT_DEFAULT/);
  });
});
