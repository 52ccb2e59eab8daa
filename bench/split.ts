/**
 * `npm run bench:split`: POST /orders through the gateway, the monolith against the split
 * topology (a process per service instance), on one real PostgreSQL server and Redis, one
 * after the other, bounded in count and time. Prints p50/p99 and orders/s side by side with
 * the ratio, and where the split's extra time goes per hop, from the services' /metrics.
 *
 * Both run with NODE_ENV=production (contract validation off) and the same seed data; each
 * gets its own database on the server. BENCH_ORDERS, BENCH_IN_FLIGHT and BENCH_BUDGET_MS
 * tune the run.
 */
import { application } from '../src/application.js';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Pool } from 'undici';
import { createLogger } from '../src/kernel/logger.js';
import { freePort } from '../scripts/local-servers/child-process.js';
import { startPostgres } from '../scripts/local-servers/postgres-server.js';
import { startRedis } from '../scripts/local-servers/redis-server.js';
import { ServiceProcess } from '../scripts/split/service-process.js';
import { startSplit } from '../scripts/split/run-split.js';
import { formatHops, hopsOf, scrapeAll } from './split/hops.js';
import { placeOrders, prepareSession, type LoadResult } from './split/order-load.js';

const orders = Number(process.env['BENCH_ORDERS'] ?? 400);
const inFlight = Number(process.env['BENCH_IN_FLIGHT'] ?? 8);
const budgetMs = Number(process.env['BENCH_BUDGET_MS'] ?? 45_000);
const warmup = Math.max(20, Math.floor(orders / 10));
const adminPassword = 'bench-admin-password';

const operatorToken = randomBytes(24).toString('base64url');

const common = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  SEAM_SEED: 'auto',
  ADMIN_PASSWORD: adminPassword,
  JWT_SECRET: randomBytes(32).toString('base64url'),
  // Production serves a gateway's /metrics only to the operator token: the bench scrapes with it.
  SEAM_OPERATOR_TOKEN: operatorToken,
  // No load balancer waits to notice a stopping instance here: stop at once.
  SHUTDOWN_DRAIN_DELAY_MS: '0',
};

const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

/** Warms up, then measures, through the gateway at `url`, scraping `metricsUrls` around it. */
const measure = async (url: string, metricsUrls: readonly string[]) => {
  const pool = new Pool(url, { connections: inFlight, pipelining: 1 });
  try {
    const session = await prepareSession(pool, adminPassword);
    await placeOrders(pool, session, { orders: warmup, inFlight, budgetMs });
    const before = await scrapeAll(metricsUrls, operatorToken);
    const result = await placeOrders(pool, session, { orders, inFlight, budgetMs });
    const after = await scrapeAll(metricsUrls, operatorToken);
    return { result, hops: hopsOf(before, after, result.confirmed + result.pending) };
  } finally {
    await pool.close();
  }
};

const line = (label: string, result: LoadResult): string =>
  `  ${label.padEnd(10)} ${result.ordersPerSecond.toFixed(1).padStart(9)} ${result.p50Ms.toFixed(1).padStart(8)} ${result.p99Ms.toFixed(1).padStart(8)}   ${result.confirmed} confirmed, ${result.pending} pending, ${result.failed} failed in ${(result.elapsedMs / 1000).toFixed(1)} s`;

const main = async (): Promise<void> => {
  const logger = createLogger({ level: 'warn' });
  const pg = await startPostgres();
  const redis = await startRedis();
  try {
    const admin = postgres(pg.url, { max: 1, onnotice: () => undefined });
    await admin`create database monolith`;
    await admin`create database split`;
    await admin.end();

    console.log(`bench:split — ${orders} orders (after ${warmup} warm-up), ${inFlight} in flight, at most ${budgetMs / 1000} s per run`);
    const monolith = new ServiceProcess({ service: 'monolith', replica: 0, port: await freePort(), env: { ...common, DATABASE_URL: withDatabase(pg.url, 'monolith') } });
    await monolith.start();
    let mono;
    try {
      mono = await measure(monolith.url, [monolith.url]);
    } finally {
      await monolith.stop();
    }

    const split = await startSplit({ application, databaseUrl: withDatabase(pg.url, 'split'), redisUrl: redis.url, env: common, logger });
    let distributed;
    try {
      distributed = await measure(split.gatewayUrl, split.instances.map((instance) => instance.url));
    } finally {
      await split.stop();
    }

    console.log(`\n  ${''.padEnd(10)} ${'orders/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
    console.log(line('monolith', mono.result));
    console.log(line('split', distributed.result));
    console.log(
      `\n  split / monolith: throughput ${(distributed.result.ordersPerSecond / mono.result.ordersPerSecond).toFixed(2)}x, p50 ${(distributed.result.p50Ms / mono.result.p50Ms).toFixed(2)}x, p99 ${(distributed.result.p99Ms / mono.result.p99Ms).toFixed(2)}x`,
    );
    console.log(`  extra p50 per order in the split: ${(distributed.result.p50Ms - mono.result.p50Ms).toFixed(1)} ms\n`);
    console.log('Where the split spends it, per hop (means over the measured orders):');
    console.log(formatHops(distributed.hops));
    for (const failure of [...mono.result.failures, ...distributed.result.failures]) console.log(`  failure: ${failure}`);
  } finally {
    await redis.stop();
    await pg.stop();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
