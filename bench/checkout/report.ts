/**
 * @module The benchmark's report: a table per path (throughput, latency, CPU per order, and
 * statements, transactions and commits per order from the server log), the framework / plain
 * shop ratio against the target, and what each path sent for one order.
 */
import { percentile } from '../stats.js';
import type { PathResult } from './load.js';
import type { LoggedStatement, StatementCounts } from './statement-log.js';

/** The framework's throughput must be at least this share of the plain shop's (issue 15); the moonshot is the second. */
const targetRatio = 0.5;
const moonshotRatio = 0.7;

/** What the server log showed for one order of a path. */
export interface OrderStatements {
  /** Until the answer. */
  readonly request: StatementCounts;
  /** After the answer: delivering the order's event (the framework's outbox relay); zero for the plain shop. */
  readonly afterAnswer: StatementCounts;
  /** The request path's statements, for BENCH_SHOW_SQL. */
  readonly logged: readonly LoggedStatement[];
}

export interface ReportInput {
  readonly framework: PathResult;
  readonly plain: PathResult;
  readonly frameworkStatements: OrderStatements;
  readonly plainStatements: OrderStatements;
}

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const throughput = (result: PathResult): number => (result.ok / result.elapsedMs) * 1000;
const perOrder = (ms: number, result: PathResult): number => (result.ok > 0 ? ms / result.ok : Number.NaN);
/** CPU of this process per order, with what delivering the runs' left-over events took afterwards. */
const nodeCpu = (result: PathResult): number => perOrder(result.nodeUserMs + result.nodeSystemMs + result.leftOverNodeMs, result);
const pgCpu = (result: PathResult): number => perOrder(result.pgCpuMs + result.leftOverPgMs, result);
const cpuPerOrder = (result: PathResult): number => nodeCpu(result) + pgCpu(result);
/** "12" or "12+6": until the answer, plus after it. */
const split = (request: number, after: number): string => (after > 0 ? `${request}+${after}` : String(request));

const printTable = (rows: readonly { result: PathResult; statements: OrderStatements }[]): void => {
  const header = ['path', 'orders', 'failed', 'orders/s', 'p50 ms', 'p99 ms', 'node CPU ms/order', 'pg CPU ms/order', 'SQL/order', 'tx/order', 'commits/order'];
  const widths = [12, 7, 7, 9, 8, 8, 18, 16, 10, 9, 14];
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' ');
  console.log(`\n${line(header)}`);
  for (const { result, statements } of rows) {
    const { request, afterAnswer } = statements;
    console.log(
      line([
        result.label,
        String(result.ok),
        String(result.failed),
        fmt(throughput(result)),
        fmt(percentile(result.latenciesMs, 50), 2),
        fmt(percentile(result.latenciesMs, 99), 2),
        fmt(nodeCpu(result), 2),
        fmt(pgCpu(result), 2),
        split(request.statements, afterAnswer.statements),
        split(request.transactions, afterAnswer.transactions),
        split(request.commits, afterAnswer.commits),
      ]),
    );
  }
};

const describeCounts = ({ statements, transactions, commits }: StatementCounts): string => `${statements} statements in ${transactions} transactions (${commits} commits)`;

export const printReport = ({ framework, plain, frameworkStatements, plainStatements }: ReportInput): void => {
  printTable([
    { result: framework, statements: frameworkStatements },
    { result: plain, statements: plainStatements },
  ]);
  const ratio = throughput(framework) / throughput(plain);
  const verdict = ratio >= moonshotRatio ? 'met, and the moonshot too' : ratio >= targetRatio ? 'met' : 'NOT met';
  console.log(`\nframework / plain shop throughput: ${ratio.toFixed(2)}; target >= ${targetRatio.toFixed(2)} (moonshot ${moonshotRatio.toFixed(2)}): ${verdict}`);
  console.log(
    `CPU per order (this process + PostgreSQL): framework ${fmt(cpuPerOrder(framework), 2)} ms, plain shop ${fmt(cpuPerOrder(plain), 2)} ms; ` +
      `plain / framework ${fmt(cpuPerOrder(plain) / cpuPerOrder(framework), 2)} (what the throughput ratio tends to when the machine is CPU-bound; steadier than it when other processes load the machine)`,
  );
  console.log(
    `one order, from the server log: framework ${describeCounts(frameworkStatements.request)} until the answer; after it, the outbox relay delivers the ` +
      `order's event to notifications with ${describeCounts(frameworkStatements.afterAnswer)} (its claim and mark serve a whole batch of events, so under load they are shared). ` +
      `Plain shop: ${describeCounts(plainStatements.request)}. Commits are the transactions that wrote; SQL/order in the table is "until the answer + after it".`,
  );
  if (framework.leftOver > 0) {
    console.log(
      `outbox backlog: when its runs ended, ${framework.leftOver} of the framework's ${framework.ok} events were not delivered yet; ` +
        `delivering them afterwards took ${fmt(perOrder(framework.leftOverNodeMs, framework), 2)} ms node + ${fmt(perOrder(framework.leftOverPgMs, framework), 2)} ms PostgreSQL CPU per order, ` +
        'counted in the CPU figures above (not in orders/s)',
    );
  }
  const failedTotal = framework.failed + plain.failed;
  if (failedTotal > 0) console.log(`failed orders: ${failedTotal} (see the failures printed above)`);
  console.log('node CPU covers this whole process: the HTTP client, and the server under test (for the framework also its outbox relay and checkout resumer)');
  console.log(
    'plain shop (bench/checkout/plain-shop/): hono + @hono/node-server + postgres.js, the same token check, Idempotency-Key and body validation, ' +
      'one transaction per order (idempotency-key lookup, products, stock taken with a guard, the in-memory card processor, order, payment, shipment and notification rows), ' +
      'in a database of its own on the same server, with a pool of the same size',
  );
  if (process.env['BENCH_SHOW_SQL']) {
    for (const [label, statements] of [['framework', frameworkStatements], ['plain shop', plainStatements]] as const) {
      console.log(`\n${label}, one order until the answer:`);
      for (const { text } of statements.logged) console.log(`  ${text.replace(/\s+/g, ' ').slice(0, 150)}`);
    }
  }
};
