/**
 * @module Start-up and graceful shutdown.
 *
 * Parts register a stop hook as they start; `stop()` runs the hooks in reverse order (the
 * instance leaves discovery, serves on through a drain delay while `stopping` already fails
 * readiness, then the HTTP server stops accepting, and only then the database closes), each
 * at most once, within a deadline, so SIGTERM during a deploy finishes in-flight work instead
 * of cutting it.
 */
import type { Logger } from './logger.js';

type StopHook = () => Promise<void> | void;

export class Lifecycle {
  readonly #hooks: { name: string; stop: StopHook }[] = [];
  #stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers `stop` to run at shutdown, before every hook registered earlier. */
  onStop(name: string, stop: StopHook): void {
    this.#hooks.push({ name, stop });
  }

  /** True from the moment `stop()` is first called (a signal arrived): readiness fails from then on. */
  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Runs every stop hook once, newest first; later calls return the same promise. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= this.#runHooks(reason);
    return this.#stopping;
  }

  async #runHooks(reason: string): Promise<void> {
    this.logger.info({ reason }, 'stopping');
    for (const hook of [...this.#hooks].reverse()) {
      try {
        await hook.stop();
      } catch (error) {
        this.logger.error({ err: error, hook: hook.name }, 'stop hook failed');
      }
    }
    this.logger.info('stopped');
  }

  /**
   * Stops on SIGTERM or SIGINT, then exits: 0 when every hook finished within `timeoutMs`
   * of the signal (so it must cover any drain delay a hook waits out), 1 when the deadline
   * forced the exit. The same signal a second time gets Node's default: exit at once.
   */
  exitOnSignals(timeoutMs: number): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      const force = setTimeout(() => {
        this.logger.error({ timeoutMs }, 'shutdown deadline passed; exiting');
        process.exit(1);
      }, timeoutMs);
      force.unref();
      void this.stop(signal).then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
