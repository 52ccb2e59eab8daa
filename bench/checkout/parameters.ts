/**
 * @module The checkout benchmark's parameters, in one place so every part agrees.
 *
 * The counts can be lowered (or raised) for a quick check without editing this file:
 * `BENCH_ORDERS` (measured orders per path, over all rounds; default 2000), `BENCH_ROUNDS`
 * (default 4) and `BENCH_WARMUP` (warm-up orders per path; default 200), each a whole number
 * of at least 1, e.g. `BENCH_ORDERS=300 BENCH_ROUNDS=2 npm run bench:checkout`. Published
 * figures use the defaults. `BENCH_SHOW_SQL=1` also prints the statements of one order of each path.
 */

/** A whole number of at least 1 from environment variable `name`, or `fallback` when it is unset. */
const countFrom = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1; got "${raw}"`);
  return value;
};

export const concurrency = 16;
export const warmupOrders = countFrom('BENCH_WARMUP', 200);
export const warmupBudgetMs = 20_000;
/** Per path, over all rounds. */
export const measuredOrders = countFrom('BENCH_ORDERS', 2_000);
export const measuredBudgetMs = 20_000;
export const rounds = countFrom('BENCH_ROUNDS', 4);
/** The shop's postgres.js pool size (src/kernel/database.ts); the plain shop's pool has the same. */
export const poolSize = 10;
export const itemsPerOrder = 2;
export const stockPerProduct = 10_000_000;
export const adminEmail = 'admin@seam.local';
export const adminPassword = 'bench-admin-password';
export const customerEmail = 'bench-customer@example.com';
export const customerPassword = 'bench-customer-password';
/** The plain shop's PostgreSQL application_name, which picks its lines out of the server log. */
export const plainShopAppName = 'seam-bench-plain-shop';
/** The shop's application_name (src/kernel/database.ts). */
export const shopAppName = 'seam';
