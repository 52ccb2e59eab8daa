/**
 * @module HTTP requests from a chosen local address (127.0.0.x: all of 127/8 is loopback on Linux), so a test can be several clients.
 */
import { request } from 'node:http';

export interface AddressedReply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface AddressedRequest {
  readonly method?: string;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
  readonly token?: string;
}

/**
 * Sends one request to `url` from the local address `from`, on a connection of its own (no
 * keep-alive pool), and reads the JSON answer.
 *
 * @example
 * const reply = await requestFrom('127.0.0.2', `${app.url}/api/v1/categories`);
 */
export const requestFrom = <T = Record<string, unknown>>(from: string, url: string, options: AddressedRequest = {}): Promise<AddressedReply<T>> =>
  new Promise((resolve, reject) => {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const outgoing = request(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        localAddress: from,
        agent: false,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...options.headers,
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
          }
          const text = Buffer.concat(chunks).toString();
          resolve({ status: incoming.statusCode ?? 0, headers, body: (text ? JSON.parse(text) : {}) as T });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });

/** A client at one address: `get`, `post` and `signIn` against the shop's /api/v1. */
export const clientAt = (baseUrl: string, from: string, token?: string) => {
  const send = <T = Record<string, unknown>>(method: string, path: string, json?: unknown, headers?: Record<string, string>) =>
    requestFrom<T>(from, `${baseUrl}/api/v1${path}`, { method, json, ...(headers ? { headers } : {}), ...(token === undefined ? {} : { token }) });
  return {
    from,
    get: <T = Record<string, unknown>>(path: string, headers?: Record<string, string>) => send<T>('GET', path, undefined, headers),
    post: <T = Record<string, unknown>>(path: string, json?: unknown, headers?: Record<string, string>) => send<T>('POST', path, json ?? {}, headers),
    /** The same address acting as the user of `token`. */
    as: (userToken: string) => clientAt(baseUrl, from, userToken),
  };
};
