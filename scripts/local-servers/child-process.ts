/**
 * @module Helpers shared by the throwaway test servers: free ports, logs, child tracking, stopping and exit cleanup.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const STOP_TIMEOUT_MS = 10_000;

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });

export const tail = (text: string, lines = 30): string => text.trimEnd().split('\n').slice(-lines).join('\n');
export const readLog = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

// One exit hook for all servers: a crashed or forgotten test must not leave servers behind.
const live = new Map<ChildProcess, { readonly dir: string; readonly signal: NodeJS.Signals }>();
let exitHookInstalled = false;

/** On process exit, kills `child` with `signal` and removes `dir`, unless forgetOnExit(child) was called first. */
export const killOnExit = (child: ChildProcess, dir: string, signal: NodeJS.Signals): void => {
  live.set(child, { dir, signal });
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [orphan, { dir: orphanDir, signal: orphanSignal }] of live) {
      orphan.kill(orphanSignal);
      try {
        rmSync(orphanDir, { recursive: true, force: true });
      } catch {
        // Best effort: the server may still be writing while it dies.
      }
    }
  });
};

export const forgetOnExit = (child: ChildProcess): void => {
  live.delete(child);
};

export interface Tracked {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  hasExited(): boolean;
}

export const track = (child: ChildProcess): Tracked => {
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

/** Sends `signal`, then SIGKILL if the child has not exited within STOP_TIMEOUT_MS. */
export const stopChild = async (server: Tracked, signal: NodeJS.Signals): Promise<void> => {
  if (server.hasExited()) return;
  server.child.kill(signal);
  const outcome = await Promise.race([server.exited, sleep(STOP_TIMEOUT_MS, 'timeout', { ref: false })]);
  if (outcome === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exited;
  }
};
