/**
 * @module Starts a real, throwaway redis-server from the machine's binary for integration tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Temp working dir (log, and any dump file); removed by stop(). */
  readonly dir: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
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

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });

const readLog = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
const tail = (text: string, lines = 30): string => text.trimEnd().split('\n').slice(-lines).join('\n');

// One exit hook for all servers: a crashed or forgotten test must not leave redis-servers behind.
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;
const killOnExit = (child: ChildProcess, dir: string): void => {
  live.set(child, dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [orphan, orphanDir] of live) {
      orphan.kill('SIGKILL'); // nothing worth persisting, and SIGKILL cannot be ignored
      try {
        rmSync(orphanDir, { recursive: true, force: true });
      } catch {
        // Best effort.
      }
    }
  });
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

interface Tracked {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  hasExited(): boolean;
}

const track = (child: ChildProcess): Tracked => {
  let done = false;
  const exited = new Promise<void>((resolve) => {
    const finish = (): void => {
      done = true;
      resolve();
    };
    child.once('exit', finish);
    child.once('error', finish); // spawn failures emit 'error' and possibly never 'exit'
  });
  return { child, exited, hasExited: () => done };
};

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

const stopChild = async (server: Tracked, signal: NodeJS.Signals): Promise<void> => {
  if (server.hasExited()) return;
  server.child.kill(signal);
  const outcome = await Promise.race([server.exited, sleep(STOP_TIMEOUT_MS, 'timeout', { ref: false })]);
  if (outcome === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exited;
  }
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
      killOnExit(server.child, dir);

      if ((await waitUntilReady(server, port)) === 'exited') {
        live.delete(server.child);
        if (attempt < PORT_ATTEMPTS && readLog(logFile).includes('Address already in use')) continue;
        throw new Error(`redis-server exited during startup (exit code ${server.child.exitCode ?? server.child.signalCode})`);
      }

      const running = server;
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= (async () => {
          await stopChild(running, 'SIGTERM'); // with --save '' redis exits without writing a dump
          live.delete(running.child);
          await rm(dir, { recursive: true, force: true });
        })());
      return { url: `redis://127.0.0.1:${port}`, port, dir, stop };
    }
  } catch (error) {
    const log = tail(readLog(logFile));
    if (server) {
      await stopChild(server, 'SIGKILL');
      live.delete(server.child);
    }
    await rm(dir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`startRedis failed: ${message}${log ? `\n--- redis log (tail) ---\n${log}` : ''}`, { cause: error });
  }
};
