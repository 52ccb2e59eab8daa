/**
 * @module Who is asking: the client address a request counts against, from the socket or, behind trusted proxies, from X-Forwarded-For.
 *
 * Every proxy appends the address it received the request from to X-Forwarded-For, so only
 * the entries the trusted proxies wrote are believed: with `trustProxyHops` proxies in front,
 * the client is the entry that many places from the right (the socket address being the
 * rightmost). Anything further left was written by the client and could say anything. With
 * no trusted proxies the header is ignored, so a client cannot pick its own bucket.
 *
 * IPv6 addresses count by their /64 network: one host is routinely handed a whole /64, so
 * counting single addresses would give it 2^64 fresh buckets.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

export interface ClientAddressOptions {
  /** Proxies in front of this server whose X-Forwarded-For entries are believed (default 0: none). */
  readonly trustProxyHops?: number;
}

/** What a request without a socket (hono's `app.request` in tests) counts against. */
export const unknownAddress = 'unknown';

const socketAddress = (c: Context): string | undefined => {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // Not served by @hono/node-server (an in-memory request): there is no socket to ask.
    return undefined;
  }
};

/** `1.2.3.4:80` and `[::1]:80` as some proxies write them, without the port. */
const withoutPort = (entry: string): string => {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed?.[1]) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return v4WithPort?.[1] ?? entry;
};

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 counts as two). */
const ipv6Groups = (address: string): number[] => {
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((piece) => {
          if (!piece.includes('.')) return [Number.parseInt(piece, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const front = toGroups(head);
  const back = tail === undefined ? [] : toGroups(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
};

/**
 * The bucket an address counts in: an IPv4 address as is (also when written IPv4-mapped,
 * `::ffff:10.0.0.1`), an IPv6 address as its /64 network; undefined when it is no address.
 */
export const addressBucket = (raw: string): string | undefined => {
  const address = withoutPort(raw.trim()).replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return undefined;
  const groups = ipv6Groups(address.toLowerCase());
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
};

/**
 * The client address of a request, as a rate-limit bucket.
 *
 * @example
 * const addressOf = clientAddress({ trustProxyHops: 1 }); // one load balancer in front
 * app.use((c, next) => { logger.info({ client: addressOf(c) }); return next(); });
 */
export const clientAddress = (options: ClientAddressOptions = {}): ((c: Context) => string) => {
  const hops = options.trustProxyHops ?? 0;
  return (c) => {
    const socket = socketAddress(c);
    const fromSocket = (socket === undefined ? undefined : addressBucket(socket)) ?? unknownAddress;
    if (hops === 0) return fromSocket;
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // The chain as seen from here: what the proxies were told, then who told us.
    const chain = [...forwarded, socket ?? unknownAddress];
    const entry = chain[Math.max(chain.length - 1 - hops, 0)] ?? unknownAddress;
    // An entry that is no address was not written by a proxy worth believing.
    return addressBucket(entry) ?? fromSocket;
  };
};
