/**
 * @module Load generation: places orders through a path with a fixed number in flight, bounded
 * in count and time, and adds up what it cost (latency, CPU of this process and of PostgreSQL).
 */
import { concurrency, measuredBudgetMs, measuredOrders, rounds, warmupBudgetMs, warmupOrders } from './parameters.js';
import { postgresCpuMs } from './postgres-cpu.js';

/** What a path did over all its measured rounds. */
export interface PathResult {
  readonly label: string;
  ok: number;
  failed: number;
  elapsedMs: number;
  readonly latenciesMs: number[];
  readonly failures: string[];
  /** CPU time of this process (all threads), user and system. */
  nodeUserMs: number;
  nodeSystemMs: number;
  /** CPU time of the PostgreSQL server processes; NaN when /proc cannot be read. */
  pgCpuMs: number;
  /**
   * Background work a measured run left behind (events its orders published that the outbox
   * relay had not delivered yet), finished before the next run: how many, and its CPU. Not in
   * the figures above; the report adds this CPU to the path's, since in a longer run the same
   * work would fall inside it.
   */
  leftOver: number;
  leftOverNodeMs: number;
  leftOverPgMs: number;
}

/** A way to place order number `index`; every index is a new order. */
export interface Path {
  readonly result: PathResult;
  readonly placeOrder: (index: number) => Promise<void>;
  nextIndex: number;
}

const emptyResult = (label: string): PathResult => ({
  label,
  ok: 0,
  failed: 0,
  elapsedMs: 0,
  latenciesMs: [],
  failures: [],
  nodeUserMs: 0,
  nodeSystemMs: 0,
  pgCpuMs: 0,
  leftOver: 0,
  leftOverNodeMs: 0,
  leftOverPgMs: 0,
});

/** Waits until the background work of the last run is done; resolves with how much there was. */
export type Settle = () => Promise<number>;

/** Runs `settle`, adding what it found and the CPU it took to `into`. */
const settleAfter = async (settle: Settle, dataDir: string, into: PathResult): Promise<void> => {
  const cpuBefore = process.cpuUsage();
  const pgBefore = postgresCpuMs(dataDir);
  into.leftOver += await settle();
  const cpu = process.cpuUsage(cpuBefore);
  into.leftOverNodeMs += (cpu.user + cpu.system) / 1000;
  into.leftOverPgMs += postgresCpuMs(dataDir) - pgBefore;
};

export const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);

export const newPath = (label: string, placeOrder: (index: number) => Promise<void>): Path => ({ result: emptyResult(label), placeOrder, nextIndex: 0 });

/**
 * Places orders through `path` with `concurrency` in flight until `maxOrders` have been started
 * or `budgetMs` has passed; a rejected promise is a failed order. Adds the figures to `into`.
 */
const runLoad = async (path: Path, options: { maxOrders: number; budgetMs: number; dataDir: string; into: PathResult }): Promise<void> => {
  const { into } = options;
  const firstIndex = path.nextIndex;
  path.nextIndex += options.maxOrders;
  let next = 0;
  const deadline = Date.now() + options.budgetMs;
  const cpuBefore = process.cpuUsage();
  const pgBefore = postgresCpuMs(options.dataDir);
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < options.maxOrders && Date.now() < deadline) {
      const index = firstIndex + next;
      next += 1;
      const t0 = performance.now();
      try {
        await path.placeOrder(index);
        into.latenciesMs.push(performance.now() - t0);
        into.ok += 1;
      } catch (error) {
        into.failed += 1;
        if (into.failures.length < 5) into.failures.push(describeError(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  into.elapsedMs += performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  into.nodeUserMs += cpu.user / 1000;
  into.nodeSystemMs += cpu.system / 1000;
  into.pgCpuMs += postgresCpuMs(options.dataDir) - pgBefore;
};

/**
 * Warms every path up, then measures them in alternating rounds (each round starting with the
 * next path), so drift in what the machine can give (other load, CPU frequency) hits all alike.
 * `settle` runs after every run, to let background work finish before the next path starts.
 */
export const measure = async (paths: readonly Path[], dataDir: string, settle: Settle): Promise<void> => {
  for (const path of paths) {
    const warm = emptyResult(path.result.label);
    await runLoad(path, { maxOrders: warmupOrders, budgetMs: warmupBudgetMs, dataDir, into: warm });
    if (warm.failed > 0) console.log(`  ${path.result.label} warm-up: ${warm.failed} failed, e.g. ${warm.failures[0]}`);
    await settle();
  }
  const perRound = { maxOrders: Math.ceil(measuredOrders / rounds), budgetMs: measuredBudgetMs / rounds };
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < paths.length; k += 1) {
      const path = paths[(round + k) % paths.length]!;
      await runLoad(path, { ...perRound, dataDir, into: path.result });
      await settleAfter(settle, dataDir, path.result);
    }
  }
  for (const { result } of paths) {
    result.latenciesMs.sort((a, b) => a - b);
    console.log(`  ${result.label}: ${result.ok} orders in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.failed} failed`);
    for (const failure of result.failures) console.log(`    failure: ${failure}`);
  }
};
