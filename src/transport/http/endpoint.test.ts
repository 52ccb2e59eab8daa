import { describe, expect, it } from 'vitest';
import { endpointOf } from './endpoint.js';

describe('endpointOf', () => {
  it('splits a base URL into origin and path prefix, without a trailing slash', () => {
    expect(endpointOf('http://inventory:3000')).toEqual({ origin: 'http://inventory:3000', pathPrefix: '' });
    expect(endpointOf('http://inventory:3000/')).toEqual({ origin: 'http://inventory:3000', pathPrefix: '' });
    expect(endpointOf('https://edge.example/inventory/')).toEqual({ origin: 'https://edge.example', pathPrefix: '/inventory' });
  });

  it('returns the remembered split for a URL seen before', () => {
    expect(endpointOf('http://10.0.0.7:8080')).toBe(endpointOf('http://10.0.0.7:8080'));
  });

  it('throws for a string that is not an http(s) URL', () => {
    expect(() => endpointOf('not a url')).toThrow(TypeError);
    expect(() => endpointOf('inventory:3000')).toThrow(TypeError);
  });
});
