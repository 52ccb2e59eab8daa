import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddress, unknownAddress } from './client-address.js';

/** What `clientAddress` says for a request from `socket` carrying `forwardedFor`. */
const seen = async (hops: number, socket: string | undefined, forwardedFor?: string): Promise<string> => {
  const addressOf = clientAddress({ trustProxyHops: hops });
  const app = new Hono().get('/', (c) => c.text(addressOf(c)));
  const env = socket === undefined ? undefined : { incoming: { socket: { remoteAddress: socket, remotePort: 40000, remoteFamily: 'IPv4' } } };
  const response = await app.request('/', { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }, env);
  return response.text();
};

describe('addressBucket', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['10.1.2.3:5678', '10.1.2.3'],
    ['2001:db8:aaaa:bbbb:1:2:3:4', '2001:db8:aaaa:bbbb::/64'],
    ['2001:db8:aaaa:bbbb::9', '2001:db8:aaaa:bbbb::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['[2001:db8:1:2::1]:443', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('counts %s as %s', (raw, bucket) => {
    expect(addressBucket(raw)).toBe(bucket);
  });

  it.each(['', 'unknown', 'example.com', '1.2.3', '300.1.1.1'])('finds no address in %j', (raw) => {
    expect(addressBucket(raw)).toBeUndefined();
  });

  it('gives two hosts of one /64 one bucket and hosts of two /64s two', () => {
    expect(addressBucket('2001:db8:0:1::a')).toBe(addressBucket('2001:db8:0:1:ffff:ffff:ffff:ffff'));
    expect(addressBucket('2001:db8:0:1::a')).not.toBe(addressBucket('2001:db8:0:2::a'));
  });
});

describe('clientAddress', () => {
  it('is the socket address, whatever X-Forwarded-For says, when no proxy is trusted', async () => {
    expect(await seen(0, '192.0.2.10')).toBe('192.0.2.10');
    expect(await seen(0, '192.0.2.10', '203.0.113.5')).toBe('192.0.2.10');
  });

  it('with one trusted proxy, is the entry that proxy appended, not what the client wrote before it', async () => {
    expect(await seen(1, '10.0.0.2', '203.0.113.5')).toBe('203.0.113.5');
    expect(await seen(1, '10.0.0.2', 'spoofed, 198.51.100.1, 203.0.113.5')).toBe('203.0.113.5');
  });

  it('with two trusted proxies, is the entry two places from the right of the chain', async () => {
    // client 203.0.113.5 -> edge proxy (appends it) -> inner proxy 10.0.0.7 (appends the edge) -> us
    expect(await seen(2, '10.0.0.7', 'spoofed, 203.0.113.5, 10.0.0.3')).toBe('203.0.113.5');
  });

  it('is the furthest known hop when the chain is shorter than the trusted proxies', async () => {
    expect(await seen(3, '10.0.0.7', '203.0.113.5')).toBe('203.0.113.5');
    expect(await seen(1, '10.0.0.7')).toBe('10.0.0.7');
  });

  it('falls back to the socket when the trusted entry is no address', async () => {
    expect(await seen(1, '10.0.0.7', 'not-an-address')).toBe('10.0.0.7');
  });

  it('says "unknown" for a request without a socket', async () => {
    expect(await seen(0, undefined)).toBe(unknownAddress);
  });
});
