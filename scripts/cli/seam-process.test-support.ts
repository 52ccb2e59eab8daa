/**
 * @module Runs the real `seam` command (the CLI bin/seam.mjs starts, from the test build) for
 * the CLI's tests, and resolves with how it ended.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { testBuildEntry } from '../../test/support/test-build.js';

export const repositoryRoot = join(import.meta.dirname, '..', '..');

export interface Ending {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `seam ...args` in `cwd` (the repository unless told), with `env` on top of this process's environment. */
export const seam = (args: readonly string[], env: Readonly<Record<string, string>> = {}, cwd: string = repositoryRoot): Promise<Ending> =>
  new Promise((resolve) => {
    const cli = testBuildEntry('scripts/cli/main.ts');
    execFile(cli.command, [...cli.args, ...args], { cwd, env: { ...process.env, ...env }, timeout: 50_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
