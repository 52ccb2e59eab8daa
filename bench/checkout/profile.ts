/**
 * @module The framework path alone, for a CPU profile of the shop under checkout load:
 * `npm run build && node --cpu-prof --cpu-prof-dir=/tmp/prof --enable-source-maps dist/bench/checkout/profile.js [orders]`
 * (the compiled code, as production runs it).
 * Same setup and load as `npm run bench:checkout`, without the plain shop or the report.
 */
import { randomUUID } from 'node:crypto';
import { startPostgres } from '../../test/support/postgres-server.js';
import { Cleanups } from './cleanups.js';
import { orderOverHttp } from './order-request.js';
import { HttpClient } from './http-client.js';
import { describeError } from './load.js';
import { concurrency } from './parameters.js';
import { startShop } from './shop.js';

const orders = Math.min(20_000, Number(process.argv[2] ?? 1500));
const budgetMs = 60_000;
const cleanups = new Cleanups();

await cleanups.around(async () => {
  const pg = await startPostgres();
  cleanups.push(() => pg.stop());
  const shop = await startShop(pg.url, cleanups);
  const client = new HttpClient(shop.port);
  cleanups.push(async () => client.close());
  const place = orderOverHttp(client, shop.token, shop.productIds, randomUUID().slice(0, 8));
  let next = 0;
  let failed = 0;
  const deadline = Date.now() + budgetMs;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < orders && Date.now() < deadline) {
      const index = next;
      next += 1;
      await place(index).catch((error: unknown) => {
        failed += 1;
        if (failed <= 3) console.log(`failed: ${describeError(error)}`);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    `${next - failed} orders in ${(elapsedMs / 1000).toFixed(1)} s (${(((next - failed) / elapsedMs) * 1000).toFixed(1)}/s), ${failed} failed, ` +
      `node CPU ${((cpu.user + cpu.system) / 1000 / Math.max(1, next - failed)).toFixed(1)} ms/order`,
  );
});
