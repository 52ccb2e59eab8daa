/**
 * @module What to undo at the end, in reverse order, also on SIGINT/SIGTERM, so no server the
 * benchmark started outlives it.
 */
import { describeError } from './load.js';

export class Cleanups {
  readonly #steps: (() => Promise<void>)[] = [];

  push(step: () => Promise<void>): void {
    this.#steps.push(step);
  }

  /** Runs every step once, newest first; a failing step is reported and the rest still run. */
  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) await step().catch((error: unknown) => console.error(`cleanup: ${describeError(error)}`));
  }

  /** Runs `work`, cleaning up afterwards, or on a signal (then exits 130). */
  async around(work: () => Promise<void>): Promise<void> {
    const onSignal = (signal: NodeJS.Signals): void => {
      console.error(`\n${signal}: stopping the servers`);
      void this.run().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await work();
    } finally {
      await this.run();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
