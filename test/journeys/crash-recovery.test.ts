/**
 * A checkout killed (SIGKILL) right after the payment step resumes when the shop restarts,
 * and ends CONFIRMED with one charge and one stock decrement: nothing lost, nothing twice.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMain, type MainProcess } from '../support/main-process.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { orderBody, ShopClient } from '../support/shop-client.js';

const env = (server: PostgresServer): Record<string, string> => ({
  NODE_ENV: 'development',
  PORT: '0',
  DATABASE_URL: server.url,
  // Shared by both runs, so the customer's token outlives the crash as it would in production.
  JWT_SECRET: 'crash-test-secret-crash-test-secret-0123',
  ADMIN_PASSWORD: 'crash-test-admin-password',
  // A short lease, so the restarted process takes the dead runner's saga over quickly.
  CHECKOUT_LEASE_SECONDS: '2',
  CHECKOUT_RESUME_INTERVAL_MS: '200',
  LOG_LEVEL: 'info',
});

describe('checkout crash recovery', () => {
  let server: PostgresServer;
  let running: MainProcess | undefined;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    running?.child.kill('SIGKILL');
    await server?.stop();
  });

  it('resumes a saga killed after charging and confirms it with exactly one charge', async () => {
    running = startMain({ ...env(server), SEAM_FAILPOINTS: 'orders.checkout.after-charge' });
    const firstUrl = await running.listening;
    const anonymous = new ShopClient(firstUrl);
    const admin = await anonymous.signIn('admin@seam.local', 'crash-test-admin-password');
    const customer = await anonymous.signIn(`crash-${randomUUID()}@example.com`);
    const product = (await anonymous.get<{ items: { id: string }[] }>('/products?limit=1')).body.items[0]!;
    await admin.request('PUT', `/inventory/${product.id}`, { available: 7 });

    const lost = await customer
      .post('/orders', orderBody([{ productId: product.id, quantity: 3 }]), { 'idempotency-key': 'crash-1' })
      .then(() => 'answered', () => 'connection lost');
    expect(lost).toBe('connection lost');
    const crash = await running.exited;
    // tsx relays its child's death as exit code 128 + 9.
    expect(crash.signal === 'SIGKILL' || crash.code === 137).toBe(true);
    expect(crash.stdout).not.toContain('"msg":"stopped"');
    const sql = postgres(server.url, { max: 1, onnotice: () => undefined });
    // Where the crash left things: charged, not yet shipped, not confirmed.
    const [interrupted] = await sql<{ status: string; saga_step: string; payment_id: string | null }[]>`select status, saga_step, payment_id from orders.orders`;
    expect(interrupted).toMatchObject({ status: 'PENDING', saga_step: 'ship', payment_id: expect.any(String) });

    running = startMain(env(server));
    const secondUrl = await running.listening;
    const resumedCustomer = customer.at(secondUrl);
    const deadline = Date.now() + 30_000;
    let orders: { id: string; status: string }[] = [];
    while (Date.now() < deadline) {
      orders = (await resumedCustomer.get<{ items: { id: string; status: string }[] }>('/orders')).body.items;
      if (orders[0]?.status === 'CONFIRMED') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(orders).toHaveLength(1);
    expect(orders[0]?.status).toBe('CONFIRMED');

    try {
      const attempts = await sql<{ outcome: string }[]>`
        select a.outcome from payments.attempts a join payments.payments p on p.id = a.payment_id where p.order_id = ${orders[0]!.id}`;
      expect(attempts.map((attempt) => attempt.outcome)).toEqual(['CAPTURED']);
      const [stock] = await sql<{ available: number }[]>`select available from inventory.stock_levels where product_id = ${product.id}`;
      expect(stock?.available).toBe(4);
    } finally {
      await sql.end();
    }

    // The same key after the restart is the same order, not a second one.
    const retried = await resumedCustomer.post<{ id: string; status: string }>('/orders', orderBody([{ productId: product.id, quantity: 3 }]), {
      'idempotency-key': 'crash-1',
    });
    expect(retried.body).toMatchObject({ id: orders[0]!.id, status: 'CONFIRMED' });
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});
