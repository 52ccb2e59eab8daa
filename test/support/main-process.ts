/**
 * @module Runs the real entry point (from the test build by default, or as told: under tsx,
 * or compiled by `npm run build`) as a child process, as a user or an orchestrator would, and
 * tells when it listens and how it ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testBuildEntry } from './test-build.js';

const root = join(import.meta.dirname, '..', '..');

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
  /** What it has written to standard output so far (its log lines). */
  output(): string;
}

/** How to run the entry point: by default src/main.ts under tsx, from the repository root. */
export interface MainCommand {
  /** The executable and its arguments, e.g. `[process.execPath, '--enable-source-maps', 'dist/src/main.js']`. */
  readonly argv: readonly [string, ...string[]];
  readonly cwd: string;
}

/** src/main.ts from its TypeScript source, under tsx. */
// One process under `node --import tsx`, not the tsx CLI: that one relays a signal to its child
// and SIGKILLs the child if it does not acknowledge within 30 ms, which a loaded machine misses.
export const fromSource: MainCommand = { argv: [process.execPath, '--import', 'tsx', 'src/main.ts'], cwd: root };

/** src/main from this run's test build: the same code, without tsx's start-up cost in every process. */
const fromTestBuild = (): MainCommand => {
  const entry = testBuildEntry('src/main.ts');
  return { argv: [entry.command, ...entry.args], cwd: entry.cwd };
};

/** Starts the entry point (`how`: src/main from the test build unless told) with only `env` (plus PATH and HOME) in its environment. */
export const startMain = (env: Record<string, string>, how: MainCommand = fromTestBuild()): MainProcess => {
  const [command, ...args] = how.argv;
  const child = spawn(command, args, {
    cwd: how.cwd,
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
      const match = /"url":"(https?:\/\/[^"]+)"/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((exit) => reject(new Error(`exited (${exit.code ?? exit.signal}) before listening: ${exit.stderr}`)));
  });
  listening.catch(() => undefined); // callers that only await `exited` must not see an unhandled rejection
  return { child, listening, exited, output: () => stdout };
};
