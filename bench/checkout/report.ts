/**
 * @module The benchmark's report: a table per path, the throughput ratio against the target,
 * and what the statement log showed.
 */
import { percentile } from '../stats.js';
import { baselineDescription } from './baseline-path.js';
import type { PathResult } from './load.js';
import { statementText } from './statement-log.js';

/** The framework's throughput must be at least this share of the baseline's. */
const targetRatio = 0.6;

export interface ReportInput {
  readonly framework: PathResult;
  readonly baseline: PathResult;
  readonly unprepared: PathResult;
  /** Statements of one order's request path, as logged. */
  readonly frameworkStatements: readonly string[];
  readonly baselineStatements: readonly string[];
  /** Statements the outbox relay ran afterwards to deliver that order's event. */
  readonly relayStatements: readonly string[];
}

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const throughput = (result: PathResult): number => (result.ok / result.elapsedMs) * 1000;
const perOrder = (ms: number, result: PathResult): number => (result.ok > 0 ? ms / result.ok : Number.NaN);
const cpuPerOrder = (result: PathResult): number => perOrder(result.nodeUserMs + result.nodeSystemMs + result.pgCpuMs, result);

const printTable = (rows: readonly { result: PathResult; statements: number }[]): void => {
  const header = ['path', 'orders', 'failed', 'orders/s', 'p50 ms', 'p99 ms', 'node CPU ms/order (user+sys)', 'pg CPU ms/order', 'SQL/order'];
  const widths = [22, 7, 7, 9, 8, 8, 29, 16, 10];
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' ');
  console.log(`\n${line(header)}`);
  for (const { result, statements } of rows) {
    console.log(
      line([
        result.label,
        String(result.ok),
        String(result.failed),
        fmt(throughput(result)),
        fmt(percentile(result.latenciesMs, 50), 2),
        fmt(percentile(result.latenciesMs, 99), 2),
        `${fmt(perOrder(result.nodeUserMs + result.nodeSystemMs, result))} (${fmt(perOrder(result.nodeUserMs, result))}+${fmt(perOrder(result.nodeSystemMs, result))})`,
        fmt(perOrder(result.pgCpuMs, result)),
        String(statements),
      ]),
    );
  }
};

/** Where the baseline stopped sending exactly the framework's statements, or a line saying it never did. */
const comparison = (framework: readonly string[], baseline: readonly string[]): string => {
  const firstDifference = framework.findIndex((line, i) => statementText(line) !== statementText(baseline[i] ?? ''));
  if (firstDifference < 0 && framework.length === baseline.length) return "statement texts: the baseline sent exactly the framework's statements, in the same order";
  const at = firstDifference < 0 ? framework.length : firstDifference;
  return (
    `statement texts differ from statement ${at + 1}: framework "${statementText(framework[at] ?? '').slice(0, 160)}", ` +
    `baseline "${statementText(baseline[at] ?? '').slice(0, 160)}"`
  );
};

export const printReport = (input: ReportInput): void => {
  const { framework, baseline, unprepared, frameworkStatements, baselineStatements, relayStatements } = input;
  printTable([
    { result: framework, statements: frameworkStatements.length },
    { result: baseline, statements: baselineStatements.length },
    { result: unprepared, statements: baselineStatements.length },
  ]);
  const ratio = throughput(framework) / throughput(baseline);
  console.log(`\nframework / baseline throughput: ${ratio.toFixed(2)}; target >= ${targetRatio.toFixed(2)}: ${ratio >= targetRatio ? 'met' : 'NOT met'}`);
  console.log(`framework / unprepared baseline (the statements sent as drizzle sends them, unnamed): ${(throughput(framework) / throughput(unprepared)).toFixed(2)}`);
  console.log(
    `SQL statements per order, request path (begin/commit included): framework ${frameworkStatements.length}, baseline ${baselineStatements.length}; ` +
      `after the answer the outbox relay runs ${relayStatements.length} more to deliver the order's event (one claim and one mark per batch of events), ` +
      'and the baseline delivers its events with the same statements',
  );
  console.log(comparison(frameworkStatements, baselineStatements));
  console.log(
    `CPU per order (this process + PostgreSQL): framework ${fmt(cpuPerOrder(framework))} ms, baseline ${fmt(cpuPerOrder(baseline))} ms; ` +
      `baseline/framework ${fmt(cpuPerOrder(baseline) / cpuPerOrder(framework), 2)} (steadier than the throughput ratio when other processes load the machine)`,
  );
  if (framework.leftOver > 0) {
    console.log(
      `outbox backlog: when its runs ended, ${framework.leftOver} of the framework's ${framework.ok} events were not delivered yet; ` +
        `delivering them afterwards took ${fmt(perOrder(framework.leftOverNodeMs, framework))} ms node + ${fmt(perOrder(framework.leftOverPgMs, framework))} ms PostgreSQL CPU per order, not in the figures above`,
    );
  }
  const failedTotal = framework.failed + baseline.failed + unprepared.failed;
  if (failedTotal > 0) console.log(`failed orders: ${failedTotal} (see the failures printed above)`);
  console.log(`node CPU covers this whole process: for the framework that is the HTTP client, the server, the modules and the relay`);
  for (const text of baselineDescription) console.log(text);
};
