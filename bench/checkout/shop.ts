/**
 * @module The whole shop in this process on the benchmark's server, its products stocked and
 * one customer signed in.
 */
import { application } from '../../src/application.js';
import { startApp, type RunningApp } from '../../src/host/start.js';
import { ShopClient } from '../../test/support/shop-client.js';
import type { Cleanups } from './cleanups.js';
import { adminEmail, adminPassword, customerEmail, customerPassword, itemsPerOrder, stockPerProduct } from './parameters.js';
import { benchLogger, shopConfig } from './shop-config.js';

export interface RunningShop {
  readonly app: RunningApp;
  readonly port: number;
  /** The customer's access token. */
  readonly token: string;
  readonly productIds: readonly string[];
  /** Stops the shop (once; also registered as a cleanup). */
  stop(): Promise<void>;
}

export const startShop = async (databaseUrl: string, cleanups: Cleanups, env: Record<string, string> = {}): Promise<RunningShop> => {
  let running: RunningApp | undefined = await startApp(application, shopConfig(databaseUrl, env), benchLogger);
  const app = running;
  const stop = async (): Promise<void> => {
    const stopping = running;
    running = undefined;
    await stopping?.stop();
  };
  cleanups.push(stop);
  const url = new URL(app.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`the shop listens on ${app.url}, not on 127.0.0.1`);

  const shop = new ShopClient(app.url);
  const asAdmin = await shop.signIn(adminEmail, adminPassword);
  const catalog = await shop.get<{ items: { id: string }[] }>('/products?limit=100');
  const productIds = catalog.body.items.map((product) => product.id);
  if (productIds.length < itemsPerOrder) throw new Error(`the seeded catalog has ${productIds.length} products`);
  for (const id of productIds) {
    const stocked = await asAdmin.request('PUT', `/inventory/${id}`, { available: stockPerProduct });
    if (stocked.status !== 200) throw new Error(`PUT /inventory/${id}: ${stocked.status} ${JSON.stringify(stocked.body)}`);
  }
  await shop.post('/auth/register', { email: customerEmail, password: customerPassword, name: 'Bench Customer' });
  const login = await shop.post<{ token: string }>('/auth/login', { email: customerEmail, password: customerPassword });
  if (login.status !== 200) throw new Error(`customer login: ${login.status} ${JSON.stringify(login.body)}`);
  return { app, port: Number(url.port), token: login.body.token, productIds, stop };
};
