/**
 * @module Serves a fetch handler on node:http or node:https and stops it without resetting a request.
 */
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { serve } from '@hono/node-server';
import type { Server, ServerResponse } from 'node:http';
import { answerClientError } from './client-errors.js';

export interface HttpServer {
  /** `http://host:port` (or `https://`), with the port actually bound (useful with PORT=0). */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting and lets in-flight requests finish; every response from now on says
   * `Connection: close`, and a connection idle for a second is closed. Resolves once every
   * connection has closed.
   */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Serve HTTPS with this PEM certificate (chain) and private key. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/** How long a connection must have been idle before a closing server closes it. */
const idleCloseMs = 1000;

type FetchHandler = (request: Request) => Response | Promise<Response>;

/** What close() needs to know of a connection: how many of its requests are unanswered, since when it is idle. */
interface Connection {
  open: number;
  idleSince: number;
}

export const listen = async (fetch: FetchHandler, host: string, port: number, options: ListenOptions = {}): Promise<HttpServer> => {
  const { tls } = options;
  const server = (
    tls === undefined
      ? serve({ fetch, hostname: host, port })
      : serve({ fetch, hostname: host, port, createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key } })
  ) as Server;
  const connections = new Map<Socket, Connection>();
  const unanswered = new Set<ServerResponse>();
  let closing = false;

  // With TLS, requests arrive on the TLS socket, which 'secureConnection' hands over.
  server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    connections.set(socket, { open: 0, idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Runs before the fetch handler, so a closing server's answer carries `Connection: close`.
  server.prependListener('request', (request, response) => {
    const connection = connections.get(request.socket);
    if (connection) connection.open += 1;
    if (closing) response.setHeader('connection', 'close');
    unanswered.add(response);
    response.once('close', () => {
      unanswered.delete(response);
      if (connection && --connection.open === 0) connection.idleSince = performance.now();
    });
  });
  server.on('clientError', answerClientError);

  if (!server.listening) await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const close = (): Promise<void> => {
    closing = true;
    for (const response of unanswered) if (!response.headersSent) response.setHeader('connection', 'close');
    // A connection that has just answered may already carry the client's next request:
    // destroying it then resets that request unanswered (what http.Server's close does). So an
    // idle connection is closed only after a quiet second (or the keep-alive timeout, if
    // shorter); a request arriving before then is answered, with `Connection: close`. After
    // the drain delay, load balancers have stopped sending, so a second is plenty.
    const idleLimitMs = Math.min(server.keepAliveTimeout, idleCloseMs);
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const [socket, connection] of connections) {
        if (connection.open === 0 && now - connection.idleSince >= idleLimitMs) socket.destroy();
      }
    }, Math.max(50, Math.min(250, idleLimitMs)));
    return new Promise<void>((resolve, reject) => {
      // net.Server's close, not http.Server's: that one also destroys every idle connection at once.
      NetServer.prototype.close.call(server, (error) => {
        clearInterval(sweep);
        if (error) reject(error);
        else resolve();
      });
    });
  };

  return { url: `${tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`, port: address.port, close };
};
