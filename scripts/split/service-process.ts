/**
 * @module One instance of one service of a split run: the entry point (src/main) with the
 * service's environment and port, its output kept (and optionally echoed with a prefix), ready
 * once its /readyz answers 200 with the instance id this run gave it (SEAM_INSTANCE_ID): an
 * answer from any other process on that port is not taken for it. It runs in the form this
 * file runs in (entry-command.ts): compiled under plain node from `npm run split`, as
 * production runs; the .ts source under tsx from tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { entryCommand, type EntryCommand } from '../entry-command.js';

/** The shop's entry point, in this file's form: what runs when a spec names no entry. */
const defaultEntry = entryCommand(import.meta.url, '../../src/main');
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
  /** How to run the application's entry point; the project's src/main in this file's form when absent. */
  readonly entry?: EntryCommand;
}

/** What /readyz answered: its status, and the instance id in its body, if any. */
const askReadiness = async (url: string): Promise<{ status: number; instance: unknown } | undefined> => {
  try {
    const response = await fetch(`${url}/readyz`);
    const body: unknown = await response.json().catch(() => undefined);
    return { status: response.status, instance: typeof body === 'object' && body !== null && 'instance' in body ? body.instance : undefined };
  } catch {
    return undefined; // not answering yet
  }
};

export class ServiceProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #output: string[] = [];
  /** Given to the process (SEAM_INSTANCE_ID); its /readyz must name it. */
  readonly instanceId: string;
  constructor(readonly spec: InstanceSpec) {
    this.instanceId = `${spec.service}-${spec.replica}-${randomBytes(6).toString('hex')}`;
  }

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
    const entry = this.spec.entry ?? defaultEntry;
    const child = spawn(entry.command, entry.args, {
      cwd: entry.cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...this.spec.env, HOST: '127.0.0.1', PORT: String(this.spec.port), SEAM_INSTANCE_ID: this.instanceId },
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
      const answer = await askReadiness(this.url);
      const ours = answer?.instance === this.instanceId;
      if (ours && answer?.status === 200) return;
      // The process this run started names itself in every readiness answer: a ready answer,
      // or any named one, without its name comes from another process on the port.
      if (answer !== undefined && !ours && (answer.status === 200 || answer.instance !== undefined)) {
        await this.stop('SIGKILL');
        throw new Error(`${this.name}: another process answers on ${this.url} (not the one this run started, pid ${child.pid}); stop it, or use another port`);
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
