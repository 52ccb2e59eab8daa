/**
 * @module `npm run bench:checkout`: orders per second and latency of `POST /api/v1/orders`
 * through the gateway in monolith mode on a real PostgreSQL, next to a baseline that runs the
 * same SQL statements directly with postgres.js (no HTTP, no framework).
 *
 * 1. A throwaway PostgreSQL server (test/support/postgres-server.ts) and the whole shop in this
 *    process (checkout/shop.ts: production settings, so contract validation is off as in
 *    production, bound to 127.0.0.1). The sample catalog is seeded; the products ordered get a
 *    huge stock.
 * 2. Framework (checkout/framework-path.ts): POST /orders with a good test card and a fresh
 *    Idempotency-Key each, a fixed number in flight, over keep-alive connections of a bare
 *    client (checkout/http-client.ts) that takes the shop's event loop as little as it can.
 *    Every answer must be 201 CONFIRMED.
 * 3. Baseline (checkout/baseline-path.ts): for each order, the statements the framework's
 *    request path sends (checkout/statements.ts, copied from the server's statement log; the
 *    run checks they still match), in the same transactions and order, with postgres.js
 *    directly, at the same concurrency over a pool of the same size, in a database of its own
 *    on the same server (checkout/baseline-database.ts). Run twice: as postgres.js sends
 *    statements by default (named, prepared) and unprepared as drizzle sends them by default,
 *    which separates PostgreSQL's parse/plan cost from the cost in this process.
 * 4. The paths alternate in rounds after a warm-up each (checkout/load.ts), so drift in what
 *    the (shared, 2-core) machine gives hits all of them alike. CPU per order (this process,
 *    PostgreSQL) is reported too: it is steadier than throughput on a noisy machine.
 * 5. Statements per order are counted from the server log (checkout/statement-log.ts) for one
 *    order of each path, outside the timed runs.
 *
 * Every loop is bounded in count and time; the servers are stopped at the end and on error.
 * Figures, not assertions: the process exits 0 whether or not the target is met.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { startPostgres } from '../test/support/postgres-server.js';
import { startBaselineRelay } from './checkout/baseline-relay.js';
import { baselineOrder } from './checkout/baseline-path.js';
import { prepareBaselineDatabase } from './checkout/baseline-database.js';
import { Cleanups } from './checkout/cleanups.js';
import { frameworkOrder } from './checkout/framework-path.js';
import { HttpClient } from './checkout/http-client.js';
import { measure, newPath } from './checkout/load.js';
import {
  baselineAppName,
  concurrency,
  itemsPerOrder,
  measuredBudgetMs,
  measuredOrders,
  poolSize,
  rounds,
  shopAppName,
  stockPerProduct,
  warmupOrders,
} from './checkout/parameters.js';
import { printReport } from './checkout/report.js';
import { startShop } from './checkout/shop.js';
import { backgroundStatement, captureStatements, prefixLogLinesWithApplication } from './checkout/statement-log.js';

const cleanups = new Cleanups();

await cleanups.around(async () => {
  console.log(`checkout benchmark, node ${process.version}, ${concurrency} in flight, pool ${poolSize}, ${itemsPerOrder} lines per order`);
  console.log(
    `each path: ${warmupOrders} warm-up orders, then ${measuredOrders} orders or ${measuredBudgetMs / 1000} s (whichever comes first) ` +
      `in ${rounds} rounds that alternate the paths\n`,
  );

  const pg = await startPostgres();
  cleanups.push(() => pg.stop());
  const logFile = join(dirname(pg.dataDir), 'postgres.log');
  const admin = postgres(pg.url, { max: 1, onnotice: () => undefined, connection: { application_name: 'seam-bench-admin' } });
  cleanups.push(() => admin.end({ timeout: 5 }));
  await prefixLogLinesWithApplication(admin);

  const baselineUrl = await prepareBaselineDatabase(admin, pg.url);
  const shop = await startShop(pg.url, cleanups);
  console.log(`setup: ${shop.productIds.length} products stocked with ${stockPerProduct} units each, one customer signed in`);

  // --- the paths ---
  const client = new HttpClient(shop.port);
  cleanups.push(async () => client.close());
  const runId = randomUUID().slice(0, 8);
  const placeViaHttp = frameworkOrder(client, shop.token, shop.productIds, runId);
  const sql = postgres(baselineUrl, { max: poolSize, onnotice: () => undefined, connection: { application_name: baselineAppName } });
  cleanups.push(() => sql.end({ timeout: 5 }));
  const baselineUser = randomUUID();
  const framework = newPath('framework', placeViaHttp);
  const baselineRelay = startBaselineRelay(sql, true);
  cleanups.push(() => baselineRelay.stop());
  const baseline = newPath('baseline', baselineOrder(sql, baselineUser, shop.productIds, runId, true, baselineRelay.nudge));
  const unprepared = newPath('baseline, unprepared', baselineOrder(sql, baselineUser, shop.productIds, `${runId}-u`, false, baselineRelay.nudge));

  // Between runs, let the relays (the shop's and the baseline's) deliver what the run's orders
  // published, so that work lands in the run that caused it (while the relay keeps up) and not
  // in the next path's; what was not delivered yet is counted, and its CPU reported apart.
  const settle = async (): Promise<number> => {
    const pendingIn = async (db: postgres.Sql): Promise<number> => (await db<{ n: number }[]>`select count(*)::int as n from orders.outbox where status = 'pending'`)[0]?.n ?? 0;
    const pending = async (): Promise<number> => (await pendingIn(admin)) + (await pendingIn(sql));
    const backlog = await pending();
    for (let poll = 0; poll < 100; poll += 1) {
      if ((await pending()) === 0) return backlog;
      await sleep(100);
    }
    console.log('  (the outbox relay still had a backlog after 10 s)');
    return backlog;
  };
  await measure([framework, baseline, unprepared], pg.dataDir, settle);

  // --- statements per order, from the server log, outside the timed runs ---
  await shop.app.host.relay.stop();
  const stopFrameworkLog = await captureStatements(admin, logFile, shopAppName);
  await placeViaHttp(10_000_000);
  const frameworkStatements = (await stopFrameworkLog()).filter((line) => !backgroundStatement.test(line));
  const stopRelayLog = await captureStatements(admin, logFile, shopAppName);
  await shop.app.host.relay.drain();
  const relayStatements = (await stopRelayLog()).filter((line) => !backgroundStatement.test(line));
  await shop.stop();
  await baselineRelay.stop();
  const stopBaselineLog = await captureStatements(admin, logFile, baselineAppName);
  await baselineOrder(sql, baselineUser, shop.productIds, `${runId}-count`, true)(0);
  const baselineStatements = await stopBaselineLog();

  printReport({ framework: framework.result, baseline: baseline.result, unprepared: unprepared.result, frameworkStatements, baselineStatements, relayStatements });
});
