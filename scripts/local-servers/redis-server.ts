/**
 * @module Starts a real, throwaway redis-server from the machine's binary for integration tests.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetOnExit, freePort, killOnExit, readLog, stopChild, tail, track, type Tracked } from './child-process.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Temp working dir (log, and any dump file); removed by stop(). */
  readonly dir: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

const findRedisServer = (): string => {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  throw new Error('redis-server was not found on PATH. Install it, e.g. `apt-get install redis-server`.');
};

// PONG alone is not enough: if another server grabbed the port between freePort() and our bind, it
// would answer too. INFO's process_id proves the answer comes from the process we spawned.
const isOurs = (port: number, pid: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('end', () => finish(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!'+PONG\r\n'.startsWith(reply.slice(0, 7))) return finish(false);
      const match = /\r\nprocess_id:(\d+)\r\n/.exec(reply);
      if (match) finish(Number(match[1]) === pid);
    });
  });

const waitUntilReady = async (server: Tracked, port: number): Promise<'ready' | 'exited'> => {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.hasExited()) return 'exited';
    const pid = server.child.pid;
    if (pid !== undefined && (await isOurs(port, pid))) return 'ready';
    await sleep(20);
  }
  throw new Error(`redis-server did not answer PING within ${START_TIMEOUT_MS} ms`);
};

export const startRedis = async (): Promise<RedisServer> => {
  const binary = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'seam-redis-'));
  const logFile = join(dir, 'redis.log');

  let server: Tracked | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const log = openSync(logFile, 'a');
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
      server = track(spawn(binary, args, { cwd: dir, stdio: ['ignore', log, log] }));
      closeSync(log);
      killOnExit(server.child, dir, 'SIGKILL'); // nothing worth persisting, and SIGKILL cannot be ignored

      if ((await waitUntilReady(server, port)) === 'exited') {
        forgetOnExit(server.child);
        if (attempt < PORT_ATTEMPTS && readLog(logFile).includes('Address already in use')) continue;
        throw new Error(`redis-server exited during startup (exit code ${server.child.exitCode ?? server.child.signalCode})`);
      }

      const running = server;
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= (async () => {
          await stopChild(running, 'SIGTERM'); // with --save '' redis exits without writing a dump
          forgetOnExit(running.child);
          await rm(dir, { recursive: true, force: true });
        })());
      return { url: `redis://127.0.0.1:${port}`, port, dir, stop };
    }
  } catch (error) {
    const log = tail(readLog(logFile));
    if (server) {
      await stopChild(server, 'SIGKILL');
      forgetOnExit(server.child);
    }
    await rm(dir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`startRedis failed: ${message}${log ? `\n--- redis log (tail) ---\n${log}` : ''}`, { cause: error });
  }
};
