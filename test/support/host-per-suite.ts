/**
 * @module A TestHost for one suite of a test file that runs its suites once per database
 * backend: started on the backend before the suite's tests, stopped (and what the backend
 * started released) after them.
 */
import { afterAll, beforeAll } from 'vitest';
import type { AnyModule } from '../../src/kernel/module.js';
import type { ModuleHostOptions } from '../../src/kernel/module-host.js';
import type { DatabaseBackend } from './database-backends.js';
import { startTestHost, type TestHost } from './test-host.js';

export interface HostPerSuite {
  /** The running host, inside tests. */
  readonly running: TestHost;
  /** The environment that points a host at the backend, for further hosts on the same database; inside tests. */
  readonly env: Record<string, string>;
}

export interface HostPerSuiteOptions {
  /** Settings of this host besides the backend's. */
  readonly env?: Record<string, string>;
  readonly relay?: ModuleHostOptions['relay'];
  /** Runs once the host has started, before the suite's tests: seeding it, stopping its relay. */
  readonly ready?: (running: TestHost) => Promise<void>;
}

/** Registers the enclosing suite's hooks that start the host of `modules()` (called in beforeAll) and stop it. */
export const hostPerSuite = (backend: DatabaseBackend, modules: () => readonly AnyModule[], options: HostPerSuiteOptions = {}): HostPerSuite => {
  let release: (() => Promise<void>) | undefined;
  let started: HostPerSuite | undefined;
  const the = (): HostPerSuite => {
    if (!started) throw new Error('the host is started in beforeAll: use it inside a test');
    return started;
  };

  beforeAll(async () => {
    const prepared = await backend.prepare();
    release = prepared.release;
    const running = await startTestHost(modules(), { ...prepared.env, ...options.env }, options.relay === undefined ? {} : { relay: options.relay });
    started = { running, env: prepared.env };
    await options.ready?.(running);
  });
  afterAll(async () => {
    await started?.running.stop();
    await release?.();
  });

  return {
    get running() {
      return the().running;
    },
    get env() {
      return the().env;
    },
  };
};
