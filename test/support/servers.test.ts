/**
 * @module Proves the throwaway PostgreSQL and Redis test servers really serve, then stop and clean up.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres-server.js';
import { startRedis } from './redis-server.js';

const acceptsConnections = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const resp = (...args: string[]): string =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;

// Reads exactly as many bytes as the expected reply, so no QUIT (deprecated in Redis 7.2) is needed.
const exchange = (port: number, request: string, replyBytes: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = Buffer.alloc(0);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`timed out; got ${JSON.stringify(reply.toString())}`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length >= replyBytes) {
        socket.destroy();
        resolve(reply.toString());
      }
    });
  });

describe('test servers', () => {
  it('startPostgres serves SQL, then stop() frees the port and removes the temp dir', async () => {
    const server = await startPostgres({ database: 'servers_test' });
    try {
      expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/servers_test`);
      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      try {
        await sql`create table widget (id int primary key, name text not null)`;
        await sql`insert into widget ${sql([{ id: 1, name: 'sprocket' }, { id: 2, name: 'cog' }])}`;
        const rows = await sql<{ id: number; name: string }[]>`select id, name from widget order by id`;
        expect([...rows]).toEqual([{ id: 1, name: 'sprocket' }, { id: 2, name: 'cog' }]);
      } finally {
        await sql.end();
      }
    } finally {
      await server.stop();
    }
    expect(await acceptsConnections(server.port)).toBe(false);
    expect(existsSync(dirname(server.dataDir))).toBe(false); // dataDir lives in the temp root
  });

  it('startRedis serves SET/GET, then stop() frees the port and removes the temp dir', async () => {
    const server = await startRedis();
    try {
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      const expected = '+OK\r\n$6\r\nsocket\r\n';
      const request = resp('SET', 'greeting', 'socket') + resp('GET', 'greeting');
      expect(await exchange(server.port, request, expected.length)).toBe(expected);
    } finally {
      await server.stop();
    }
    expect(await acceptsConnections(server.port)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });
});
