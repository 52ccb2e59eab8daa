/**
 * @module Child processes `seam` runs in the foreground (the build, the compiled service, the
 * split runner): output straight to the terminal, signals passed on, and the child's exit code
 * as seam's own.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isCompiled } from '../../entry-command.js';
import { CliFailure } from '../cli-errors.js';
import type { Project } from '../project.js';

const passedOn: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ForegroundOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Runs `command` and resolves with the code seam should exit with: the child's, or 128 plus
 * the number of the signal that ended it.
 *
 * The child gets a process group of its own, so a Ctrl-C at the terminal reaches seam alone,
 * which passes each signal on once. Sharing seam's group, the child would get SIGINT twice
 * (from the terminal and from seam) and take the second as "stop now, skip the shutdown".
 */
export const runInForeground = (command: string, args: readonly string[], options: ForegroundOptions): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'inherit', detached: true });
    const sent = new Set<NodeJS.Signals>();
    const passOn = (signal: NodeJS.Signals): void => {
      if (sent.has(signal)) return;
      sent.add(signal);
      child.kill(signal);
    };
    // Should seam end some other way first, the child it started ends with it.
    const stopChild = (): void => void child.kill('SIGTERM');
    for (const signal of passedOn) process.on(signal, passOn);
    process.on('exit', stopChild);
    const finished = (): void => {
      for (const signal of passedOn) process.off(signal, passOn);
      process.off('exit', stopChild);
    };
    child.once('error', (error) => {
      finished();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      finished();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });

/** The build script beside the CLI's sources: it builds the project the CLI lives in. */
const buildScript = fileURLToPath(new URL('../../build.ts', import.meta.url));

/**
 * Builds `project` into dist/ unless the build is newer than every source (`build.ts
 * --if-stale`), as a child under this same node. A compiled CLI (an image) has no sources to
 * build from, so it runs what dist/ holds.
 */
export const buildIfStale = async (project: Project, cliUrl: string = import.meta.url): Promise<void> => {
  if (isCompiled(cliUrl) || !existsSync(buildScript)) return;
  const code = await runInForeground(process.execPath, ['--import', 'tsx', buildScript, '--if-stale'], { cwd: project.root, env: process.env });
  if (code !== 0) throw new CliFailure('the build failed (its errors are above): fix them and run the command again', code);
};
