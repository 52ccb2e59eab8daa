/**
 * @module Reads the contract-call histograms out of a service's /metrics text.
 */

/** Sum (seconds) and count of one series: side, contract and method, all outcomes together. */
export interface CallTotals {
  readonly side: 'client' | 'server';
  readonly contract: string;
  readonly method: string;
  sumSeconds: number;
  count: number;
}

const series = /^seam_rpc_duration_seconds_(sum|count)\{([^}]*)\} ([0-9.e+-]+)$/;
const label = /(\w+)="([^"]*)"/g;

/** Every side/contract/method with its totals, summed over outcomes. */
export const callTotals = (text: string): Map<string, CallTotals> => {
  const totals = new Map<string, CallTotals>();
  for (const line of text.split('\n')) {
    const match = series.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(label)].map((pair) => [pair[1]!, pair[2]!]));
    const side = labels['side'] === 'server' ? 'server' : 'client';
    const key = `${side} ${labels['contract']}.${labels['method']}`;
    const entry = totals.get(key) ?? { side, contract: labels['contract'] ?? '?', method: labels['method'] ?? '?', sumSeconds: 0, count: 0 };
    if (match[1] === 'sum') entry.sumSeconds += Number(match[3]);
    else entry.count += Number(match[3]);
    totals.set(key, entry);
  }
  return totals;
};

/** `after` minus `before`, per series, over several processes' totals added up. */
export const difference = (before: readonly Map<string, CallTotals>[], after: readonly Map<string, CallTotals>[]): Map<string, CallTotals> => {
  const add = (into: Map<string, CallTotals>, from: Map<string, CallTotals>, sign: 1 | -1): void => {
    for (const [key, entry] of from) {
      const total = into.get(key) ?? { ...entry, sumSeconds: 0, count: 0 };
      total.sumSeconds += sign * entry.sumSeconds;
      total.count += sign * entry.count;
      into.set(key, total);
    }
  };
  const result = new Map<string, CallTotals>();
  for (const totals of after) add(result, totals, 1);
  for (const totals of before) add(result, totals, -1);
  return result;
};
