/**
 * @module One instance of one service of a split run: the entry point (src/main) with the
 * service's environment and port, its output kept (and optionally echoed with a prefix), ready
 * once its /readyz answers 200. It runs in the form this file runs in (entry-command.ts):
 * compiled under plain node from `npm run split`, as production runs; the .ts source under tsx
 * from tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { entryCommand } from '../entry-command.js';

const entry = entryCommand(import.meta.url, '../../src/main');
const readyTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;

export interface InstanceSpec {
  readonly service: string;
  readonly replica: number;
  /** Loopback port it listens on (the split runner picks free ones). */
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  /** Called with each output line, already prefixed with `service#replica`. */
  readonly echo?: (line: string) => void;
}

export class ServiceProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #output: string[] = [];
  constructor(readonly spec: InstanceSpec) {}

  get name(): string {
    return `${this.spec.service}#${this.spec.replica}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The last lines it printed, for a failure message. */
  tail(lines = 40): string {
    return this.#output.slice(-lines).join('\n');
  }

  /** Starts the process and resolves once it is ready; rejects (and kills it) otherwise. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(entry.command, entry.args, {
      cwd: entry.cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...this.spec.env, HOST: '127.0.0.1', PORT: String(this.spec.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const onLines = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        this.#output.push(line);
        if (this.#output.length > 2000) this.#output.splice(0, 1000);
        this.spec.echo?.(`[${this.name}] ${line}`);
      }
    };
    child.stdout?.on('data', onLines);
    child.stderr?.on('data', onLines);
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) break;
      try {
        if ((await fetch(`${this.url}/readyz`)).status === 200) return;
      } catch {
        // Not answering yet.
      }
      await sleep(100);
    }
    await this.stop('SIGKILL');
    throw new Error(`${this.name} did not become ready on ${this.url}${this.running ? '' : ' (it exited)'}:\n${this.tail()}`);
  }

  /** SIGTERM (graceful: deregisters, finishes in-flight work) or SIGKILL (a crash); waits for the exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    child.kill(signal);
    const outcome = await Promise.race([this.#exited.then(() => 'exited'), sleep(stopTimeoutMs, 'timeout', { ref: false })]);
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      await this.#exited;
    }
  }
}
