/**
 * @module `npm run bench:checkout`: orders per second and latency of `POST /api/v1/orders`
 * through the Seam shop's gateway in monolith mode on a real PostgreSQL, side by side with a
 * plain shop that answers the same request without the framework, in one transaction.
 *
 * 1. A throwaway PostgreSQL server (test/support/postgres-server.ts) and the whole shop in this
 *    process (checkout/shop.ts: production settings, so contract validation is off as in
 *    production, bound to 127.0.0.1). The sample catalog is seeded; the products ordered get a
 *    huge stock.
 * 2. The plain shop (checkout/plain-shop/): hono + postgres.js in this process too, on
 *    127.0.0.1, in a database of its own on the same server, stocked with the same catalog;
 *    it checks the shop's own access tokens and the same body, and places an order in one
 *    transaction. What it gives up is what Seam's design buys (see its place-order.ts).
 * 3. Both are driven by the same load client: POST /orders with a good test card and a fresh
 *    Idempotency-Key each, a fixed number in flight, over keep-alive connections of a bare
 *    client (checkout/http-client.ts) that takes the event loop as little as it can. Every
 *    answer must be 201 CONFIRMED.
 * 4. The paths alternate in rounds after a warm-up each (checkout/load.ts), so drift in what
 *    the (shared, 2-core) machine gives hits both alike. CPU per order (this process,
 *    PostgreSQL) is reported too: it is steadier than throughput on a noisy machine.
 * 5. Statements, transactions and commits per order are counted from the server log
 *    (checkout/statement-log.ts) for one order of each path, outside the timed runs; for the
 *    framework also what its outbox relay runs after the answer to deliver the order's event.
 *
 * Counts can be lowered for a quick check (BENCH_ORDERS, BENCH_ROUNDS, BENCH_WARMUP: see
 * checkout/parameters.ts). Every loop is bounded in count and time; the servers are stopped at
 * the end and on error. Figures, not assertions: the process exits 0 whether or not the target is met.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { startPostgres } from '../test/support/postgres-server.js';
import { Cleanups } from './checkout/cleanups.js';
import { HttpClient } from './checkout/http-client.js';
import { measure, newPath } from './checkout/load.js';
import { orderOverHttp } from './checkout/order-request.js';
import { concurrency, itemsPerOrder, measuredBudgetMs, measuredOrders, plainShopAppName, poolSize, rounds, shopAppName, stockPerProduct, warmupOrders } from './checkout/parameters.js';
import { preparePlainShopDatabase } from './checkout/plain-shop/database.js';
import { startPlainShop } from './checkout/plain-shop/server.js';
import { printReport, type OrderStatements } from './checkout/report.js';
import { startShop } from './checkout/shop.js';
import { exportRequested, startOtlpSink } from './otlp-sink.js';
import { jwtSecret } from './checkout/shop-config.js';
import { backgroundStatement, captureStatements, countStatements, isRelayClaim, prefixLogLinesWithApplication, type LoggedStatement } from './checkout/statement-log.js';

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

  // With --export the shop records every span and sends it to a local receiver that discards it.
  const sink = exportRequested() ? await startOtlpSink() : undefined;
  if (sink) cleanups.push(() => sink.close());
  console.log(sink ? `tracing: every span exported over OTLP/HTTP to a local receiver (${sink.url})` : 'tracing: on, nothing exported (no OTEL_EXPORTER_OTLP_ENDPOINT; --export sends every span to a local receiver)');
  const shop = await startShop(pg.url, cleanups, sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {});
  const plainShop = await startPlainShop(await preparePlainShopDatabase(admin, pg.url, stockPerProduct), jwtSecret);
  cleanups.push(() => plainShop.stop());
  console.log(`setup: ${shop.productIds.length} products stocked with ${stockPerProduct} units each in both shops, one customer signed in`);

  // --- the paths: the same client code, the same token, the same bodies ---
  const runId = randomUUID().slice(0, 8);
  const shopClient = new HttpClient(shop.port);
  cleanups.push(async () => shopClient.close());
  const plainClient = new HttpClient(plainShop.port);
  cleanups.push(async () => plainClient.close());
  const placeInShop = orderOverHttp(shopClient, shop.token, shop.productIds, runId);
  const placeInPlainShop = orderOverHttp(plainClient, shop.token, shop.productIds, runId);
  const framework = newPath('framework', placeInShop);
  const plain = newPath('plain shop', placeInPlainShop);

  // Between runs, let the shop's outbox relay deliver what the run's orders published, so that
  // work lands in the run that caused it (while the relay keeps up) and not in the next path's;
  // what was not delivered yet is counted, and its CPU reported apart.
  const settle = async (): Promise<number> => {
    const pending = async (): Promise<number> => (await admin<{ n: number }[]>`select count(*)::int as n from orders.outbox where status = 'pending'`)[0]?.n ?? 0;
    const backlog = await pending();
    for (let poll = 0; poll < 100; poll += 1) {
      if ((await pending()) === 0) return backlog;
      await sleep(100);
    }
    console.log('  (the outbox relay still had a backlog after 10 s)');
    return backlog;
  };
  await measure([framework, plain], pg.dataDir, settle);

  // --- one order of each path, from the server log, outside the timed runs ---
  const foreground = (logged: readonly LoggedStatement[]): LoggedStatement[] => logged.filter(({ text }) => !backgroundStatement.test(text));
  await shop.app.host.relay.stop();
  const stopShopLog = await captureStatements(admin, logFile, shopAppName);
  await placeInShop(10_000_000);
  const shopRequest = foreground(await stopShopLog());
  const stopRelayLog = await captureStatements(admin, logFile, shopAppName);
  await shop.app.host.relay.drain();
  const drained = foreground(await stopRelayLog());
  // drain() polls until a poll finds nothing: that last, empty claim is no part of the delivery.
  const relayDelivery = drained.length > 0 && isRelayClaim(drained.at(-1)!) ? drained.slice(0, -1) : drained;
  const stopPlainLog = await captureStatements(admin, logFile, plainShopAppName);
  await placeInPlainShop(10_000_000);
  const plainRequest = await stopPlainLog();
  await shop.stop();
  if (sink) console.log(`spans exported: ${sink.received().requests} OTLP requests, ${Math.round(sink.received().bytes / 1024)} KiB`);

  const none = countStatements([]);
  const frameworkStatements: OrderStatements = { request: countStatements(shopRequest), afterAnswer: countStatements(relayDelivery), logged: shopRequest };
  const plainStatements: OrderStatements = { request: countStatements(plainRequest), afterAnswer: none, logged: plainRequest };
  printReport({ framework: framework.result, plain: plain.result, frameworkStatements, plainStatements });
});
