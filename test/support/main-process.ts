/**
 * @module Runs the real entry point (src/main.ts) as a child process, as a user or an
 * orchestrator would, and tells when it listens and how it ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

export interface MainExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MainProcess {
  readonly child: ChildProcess;
  /** The URL it listens on, once its "listening" line appears; rejects if it exits first. */
  readonly listening: Promise<string>;
  readonly exited: Promise<MainExit>;
}

/** Starts src/main.ts with only `env` (plus PATH and HOME) in its environment. */
export const startMain = (env: Record<string, string>): MainProcess => {
  const child = spawn(tsx, ['src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<MainExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((exit) => reject(new Error(`exited (${exit.code ?? exit.signal}) before listening: ${exit.stderr}`)));
  });
  listening.catch(() => undefined); // callers that only await `exited` must not see an unhandled rejection
  return { child, listening, exited };
};
