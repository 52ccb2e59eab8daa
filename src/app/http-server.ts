/**
 * @module Serves a fetch handler on node:http and stops it gracefully.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';

export interface HttpServer {
  /** `http://host:port`, with the port actually bound (useful with PORT=0). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, then drops idle keep-alive sockets. */
  close(): Promise<void>;
}

type FetchHandler = (request: Request) => Response | Promise<Response>;

export const listen = async (fetch: FetchHandler, host: string, port: number): Promise<HttpServer> => {
  const server = serve({ fetch, hostname: host, port }) as Server;
  if (!server.listening) await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
};
