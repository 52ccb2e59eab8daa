/**
 * @module A TCP relay on loopback in front of a real server, for faults a network makes: it can
 * freeze the connections it carries (nothing passes either way, nothing closes: a connection gone
 * silent) and thaw them, when everything held back flows on. Connections made while others are
 * frozen pass normally.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  /** The relay's port on 127.0.0.1. */
  readonly port: number;
  /** Holds back everything on the connections open now. */
  freeze(): void;
  /** Lets what `freeze` held back flow on. */
  thaw(): void;
  close(): Promise<void>;
}

/** Starts a relay to `host:port`. */
export const startTcpRelay = async (host: string, port: number): Promise<TcpRelay> => {
  const pairs = new Set<readonly [Socket, Socket]>();
  const frozen = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    const pair = [client, upstream] as const;
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    freeze() {
      for (const pair of pairs) {
        for (const socket of pair) {
          // Unpiped and paused, a socket reads nothing more, so nothing reaches the other side.
          socket.unpipe();
          socket.pause();
          frozen.add(socket);
        }
      }
    },
    thaw() {
      for (const pair of pairs) {
        const [client, upstream] = pair;
        if (!frozen.has(client)) continue;
        client.pipe(upstream).pipe(client);
        frozen.delete(client);
        frozen.delete(upstream);
      }
    },
    async close() {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
