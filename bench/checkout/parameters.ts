/**
 * @module The checkout benchmark's fixed parameters, in one place so every part agrees.
 */

export const concurrency = 16;
export const warmupOrders = 200;
export const warmupBudgetMs = 20_000;
/** Per path, over all rounds. */
export const measuredOrders = 2_000;
export const measuredBudgetMs = 20_000;
export const rounds = 4;
/** The shop's postgres.js pool size (src/kernel/database.ts); the baseline uses the same. */
export const poolSize = 10;
export const itemsPerOrder = 2;
export const stockPerProduct = 10_000_000;
export const adminEmail = 'admin@seam.local';
export const adminPassword = 'bench-admin-password';
export const customerEmail = 'bench-customer@example.com';
export const customerPassword = 'bench-customer-password';
/** Same lease and reservation lengths as the orders module's saga (src/modules/orders/module.ts). */
export const sagaLeaseSeconds = 30;
export const reservationTtlSeconds = 15 * 60;
export const paymentLeaseSeconds = 30;
/** The baseline's PostgreSQL application_name, which picks its lines out of the server log. */
export const baselineAppName = 'seam-bench-baseline';
/** The shop's application_name (src/kernel/database.ts). */
export const shopAppName = 'seam';
