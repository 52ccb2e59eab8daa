/**
 * @module Where a split order's time goes: each contract hop's calls per order, its mean time
 * as the caller saw it, as the callee ran it, and the difference (the hop's own cost: the
 * network, HTTP, JSON, credential and resilience layers).
 */
import { callTotals, difference, type CallTotals } from './prom-text.js';

/**
 * The /metrics text of every instance now, with the operator token (a production gateway
 * serves /metrics on its public port only to a caller that has it).
 */
export const scrapeAll = async (urls: readonly string[], operatorToken: string): Promise<Map<string, CallTotals>[]> =>
  Promise.all(
    urls.map(async (url) => {
      const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${operatorToken}` } });
      if (!response.ok) throw new Error(`${url}/metrics: ${response.status}`);
      return callTotals(await response.text());
    }),
  );

export interface Hop {
  readonly name: string;
  readonly callsPerOrder: number;
  readonly clientMs: number;
  readonly serverMs: number;
  /** Caller's time minus callee's: what crossing the process boundary cost per call. */
  readonly overheadMs: number;
}

export const hopsOf = (before: Map<string, CallTotals>[], after: Map<string, CallTotals>[], orders: number): Hop[] => {
  const delta = difference(before, after);
  const hops: Hop[] = [];
  for (const [key, client] of delta) {
    if (client.side !== 'client' || client.count <= 0) continue;
    const server = delta.get(key.replace(/^client /, 'server '));
    const clientMs = (client.sumSeconds / client.count) * 1000;
    const serverMs = server && server.count > 0 ? (server.sumSeconds / server.count) * 1000 : Number.NaN;
    hops.push({ name: `${client.contract}.${client.method}`, callsPerOrder: client.count / orders, clientMs, serverMs, overheadMs: clientMs - serverMs });
  }
  return hops.sort((a, b) => b.callsPerOrder * b.overheadMs - a.callsPerOrder * a.overheadMs);
};

export const formatHops = (hops: readonly Hop[]): string => {
  const rows = hops.map(
    (hop) =>
      `  ${hop.name.padEnd(36)} ${hop.callsPerOrder.toFixed(2).padStart(6)} ${hop.clientMs.toFixed(2).padStart(9)} ${hop.serverMs.toFixed(2).padStart(9)} ${hop.overheadMs.toFixed(2).padStart(9)} ${(hop.callsPerOrder * hop.overheadMs).toFixed(2).padStart(11)}`,
  );
  const total = hops.reduce((sum, hop) => sum + hop.callsPerOrder * hop.overheadMs, 0);
  return [
    `  ${'hop (contract.method)'.padEnd(36)} ${'/order'.padStart(6)} ${'caller ms'.padStart(9)} ${'callee ms'.padStart(9)} ${'hop ms'.padStart(9)} ${'hop ms/ord'.padStart(11)}`,
    ...rows,
    `  ${'all hops'.padEnd(36)} ${hops.reduce((sum, hop) => sum + hop.callsPerOrder, 0).toFixed(2).padStart(6)} ${''.padStart(9)} ${''.padStart(9)} ${''.padStart(9)} ${total.toFixed(2).padStart(11)}`,
  ].join('\n');
};
