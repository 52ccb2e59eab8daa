/**
 * @module One bash session, as a reader's terminal: blocks of commands run in it one after
 * another, so variables, functions and background jobs carry over from block to block; each
 * block's output (stdout and stderr, interleaved as a terminal shows them) is returned.
 *
 * bash leads a process group of its own, with every job it starts in it: `close()` ends all
 * of them at once, whatever state a failed walk left them in. Daemons that leave the group
 * (pg_ctl detaches PostgreSQL) are the caller's to stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface BlockResult {
  readonly output: string;
  /** The status of the block's last command. */
  readonly status: number;
}

export class ShellSession {
  readonly #bash: ChildProcess;
  readonly #exited: Promise<unknown>;
  #stdout = '';
  #count = 0;

  /** Starts bash in `cwd` with exactly `env`; `workDir` holds the block files and outputs. */
  constructor(
    cwd: string,
    env: Readonly<Record<string, string>>,
    private readonly workDir: string,
  ) {
    this.#bash = spawn('bash', ['--noprofile', '--norc'], { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#exited = once(this.#bash, 'exit');
    this.#bash.stdout?.on('data', (chunk: Buffer) => (this.#stdout += chunk.toString()));
    this.#bash.stderr?.on('data', (chunk: Buffer) => (this.#stdout += chunk.toString()));
  }

  /** Runs `code` as if typed into the terminal; rejects if it has not finished within `timeoutMs`. */
  async run(code: string, timeoutMs: number): Promise<BlockResult> {
    const n = (this.#count += 1);
    const script = join(this.workDir, `block-${n}.sh`);
    const output = join(this.workDir, `block-${n}.out`);
    writeFileSync(script, `${code}\n`);
    const done = new RegExp(`__walk_block_${n}_done__ (\\d+)\\n`);
    const finished = this.#printed(done, `block ${n}`, timeoutMs, () => `its output so far:\n${readFileSync(output, 'utf8').slice(-3000)}`);
    // stdin from /dev/null: a command must never read the session's own commands as its input.
    this.#bash.stdin?.write(`source '${script}' < /dev/null > '${output}' 2>&1; printf '\\n__walk_block_${n}_done__ %d\\n' "$?"\n`);
    const status = await finished;
    return { output: readFileSync(output, 'utf8'), status };
  }

  /**
   * Resolves with the number `marker` captures once bash prints it, checked on each chunk of
   * bash's own output (the block's output goes to its file), so a block ends the moment it does.
   */
  #printed(marker: RegExp, what: string, timeoutMs: number, soFar: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = marker.exec(this.#stdout);
        if (match) settle(() => resolve(Number(match[1])));
      };
      const exited = (): void => settle(() => reject(new Error(`the shell exited during ${what}:\n${this.#stdout.slice(-2000)}`)));
      const timer = setTimeout(() => settle(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms; ${soFar()}`))), timeoutMs);
      const settle = (end: () => void): void => {
        clearTimeout(timer);
        this.#bash.stdout?.off('data', check);
        this.#bash.off('exit', exited);
        end();
      };
      this.#bash.stdout?.on('data', check);
      this.#bash.once('exit', exited);
      if (this.#bash.exitCode !== null || this.#bash.signalCode !== null) exited();
    });
  }

  /** Ends bash and every job it started: SIGTERM to the group, SIGKILL to whatever is left after `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    const group = this.#bash.pid;
    if (group === undefined) return;
    const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
      try {
        process.kill(-group, signal);
        return true;
      } catch {
        return false; // the group is gone already
      }
    };
    this.#bash.stdin?.end();
    if (!signalGroup('SIGTERM')) return;
    for (const deadline = Date.now() + graceMs; Date.now() < deadline && signalGroup(0); ) await sleep(200);
    signalGroup('SIGKILL');
    await this.#exited;
  }
}
