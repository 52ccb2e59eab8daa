/**
 * @module The baseline's own database on the benchmark's server, migrated and seeded by the
 * modules themselves, so the shop's background work (outbox relay, saga resumer) never sees
 * the baseline's rows.
 */
import postgres from 'postgres';
import { startModules } from '../../src/app/start.js';
import { Lifecycle } from '../../src/kernel/lifecycle.js';
import { stockPerProduct } from './parameters.js';
import { benchLogger, shopConfig } from './shop-config.js';

/** Creates, migrates, seeds and stocks database `seam_baseline`; its URL. */
export const prepareBaselineDatabase = async (admin: postgres.Sql, serverUrl: string): Promise<string> => {
  await admin.unsafe('create database seam_baseline');
  const url = new URL(serverUrl);
  url.pathname = '/seam_baseline';
  const baselineUrl = url.toString();
  const preparing = new Lifecycle(benchLogger);
  try {
    const { host } = await startModules(shopConfig(baselineUrl), benchLogger, preparing);
    await host.seed({ onlyIfEmpty: true });
  } finally {
    await preparing.stop('baseline database ready');
  }
  const baselineAdmin = postgres(baselineUrl, { max: 1, onnotice: () => undefined, connection: { application_name: 'seam-bench-admin' } });
  try {
    await baselineAdmin`update inventory.stock_levels set available = ${stockPerProduct}`;
  } finally {
    await baselineAdmin.end({ timeout: 5 });
  }
  return baselineUrl;
};
