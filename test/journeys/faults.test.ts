/**
 * The monolith (the real entry point, as its own process) on a real PostgreSQL server that restarts (`pg_ctl restart -m fast`: every
 * session is terminated mid-statement, then the server is away while it shuts down and starts)
 * under a bounded order load. No answer is a 500: what could not run is 503 SERVICE_UNAVAILABLE,
 * what may have run 503 OUTCOME_UNKNOWN, both with Retry-After; retried with the same
 * Idempotency-Key each order answers as it really ended, and every order is consistent with
 * its payment and the stock. The process lives through it all.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersReach, inconsistencies, ordersInDatabase, settle, shown, startOrderLoad } from '../support/order-load.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { ShopClient } from '../support/shop-client.js';
import { startMain, type MainProcess } from '../support/main-process.js';

const adminPassword = 'faults-admin-password';
const initialStock = 10_000;

/**
 * Runs pg_ctl on the server's data directory, as its owner (PostgreSQL refuses root), with the
 * binaries the running server came from.
 */
const pgCtl = (server: PostgresServer, args: readonly string[]): Promise<void> => {
  const postmasterPid = readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!;
  const binDir = dirname(realpathSync(`/proc/${postmasterPid.trim()}/exe`));
  const { uid, gid } = statSync(server.dataDir);
  const asOwner = process.getuid?.() === 0 ? { uid, gid } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(join(binDir, 'pg_ctl'), ['-D', server.dataDir, ...args], {
      cwd: dirname(server.dataDir),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: 'ignore',
      ...asOwner,
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl ${args.join(' ')} exited with ${code}`))));
  });
};

describe('the monolith through a PostgreSQL restart under load', () => {
  let server: PostgresServer;
  let shop: MainProcess | undefined;
  let url: string;
  let restarted = false;

  beforeAll(async () => {
    server = await startPostgres();
    shop = startMain({
      NODE_ENV: 'development',
      PORT: '0',
      // Info: the line that says where it listens.
      LOG_LEVEL: 'info',
      DATABASE_URL: server.url,
      JWT_SECRET: 'faults-test-secret-faults-test-secret-0123',
      ADMIN_PASSWORD: adminPassword,
      SEAM_SEED: 'auto',
      RATE_LIMIT: 'off',
      CHECKOUT_RESUME_INTERVAL_MS: '250',
    });
    url = await shop.listening;
  });
  afterAll(async () => {
    if (shop?.child.exitCode === null) {
      shop.child.kill('SIGTERM');
      await shop.exited;
    }
    // The restarted server is pg_ctl's child, not the one startPostgres tracks: stop it first.
    if (restarted) await pgCtl(server, ['stop', '-m', 'immediate', '-w']).catch(() => undefined);
    await server?.stop();
  });

  it('answers no 500, and every order ends as its retries say, charged and stocked consistently', { timeout: 420_000 }, async () => {
    const anonymous = new ShopClient(url);
    const admin = await anonymous.signIn('admin@seam.local', adminPassword);
    const product = await admin.post<{ id: string }>('/products', {
      sku: `PG-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: 'Restart Kettle',
      description: 'Ordered while the database restarts',
      priceCents: 2500,
      currency: 'EUR',
      categorySlug: 'kitchen',
      weightGrams: 900,
    });
    expect(product.status).toBe(201);
    expect((await admin.request('PUT', `/inventory/${product.body.id}`, { available: initialStock })).status).toBe(200);
    const customers = await Promise.all(Array.from({ length: 6 }, () => anonymous.signIn(`faults-${randomUUID()}@example.com`)));

    const load = startOrderLoad(customers, product.body.id, 60);
    await answersReach(load, 20);
    const before = load.answers.length;
    await pgCtl(server, ['restart', '-m', 'fast', '-w', '-l', join(dirname(server.dataDir), 'restart.log')]);
    restarted = true;
    // Go on until the shop has taken orders again after the restart.
    await answersReach(load, load.answers.length + 20);
    load.stop();
    await load.done;
    expect(load.answers.length).toBeGreaterThan(before);

    const answers = load.answers;
    // No 500, no dropped connection (status 0), no other 5xx; and every 503 says when to try again.
    expect(answers.filter((answer) => answer.status === 0 || (answer.status >= 500 && answer.status !== 503)).map(shown)).toEqual([]);
    expect(answers.filter((answer) => answer.status === 503 && answer.retryAfter === null).map(shown)).toEqual([]);

    // Whatever did not end at once, retried with its key, ends; and says how it really did.
    const settled = await Promise.all(answers.map((answer) => (answer.status === 201 ? answer : settle(answer, product.body.id))));
    const truth = await ordersInDatabase(server.url, product.body.id);
    const byKey = new Map(truth.orders.map((order) => [order.idempotencyKey, order]));
    for (const answer of settled) {
      const order = byKey.get(answer.key);
      expect(order, `key ${answer.key} answered ${answer.status} ${answer.code ?? answer.orderStatus}`).toBeDefined();
      // An order that did not end says why in the failure: its row and the shop's lines about it.
      const story = () => [JSON.stringify(order), ...(shop?.output().split('\n').filter((line) => order !== undefined && line.includes(order.id)) ?? [])].join('\n').slice(-6000);
      if (answer.status === 201) expect({ id: answer.orderId, status: order?.status }, story()).toEqual({ id: order?.id, status: 'CONFIRMED' });
      else expect({ key: answer.key, status: order?.status, code: answer.code }, story()).toMatchObject({ status: 'CANCELLED' });
    }
    expect(truth.orders).toHaveLength(answers.length);
    expect(inconsistencies(truth, initialStock)).toEqual([]);
    // Nothing the driver or the restart threw took the process down.
    expect(shop?.child.exitCode).toBeNull();
  });
});
