/**
 * @module `npm run bench:checkout`: orders per second and latency of `POST /api/v1/orders`
 * through the gateway in monolith mode on a real PostgreSQL, next to a baseline that runs the
 * same SQL statements directly with postgres.js (no HTTP, no framework).
 *
 * 1. A throwaway PostgreSQL server (test/support/postgres-server.ts) and the whole shop in this
 *    process (`startApp`, NODE_ENV=production, so contract validation is off as in production,
 *    bound to 127.0.0.1). The sample catalog is seeded; the products ordered get a huge stock.
 * 2. Framework: POST /orders with a good test card and a fresh Idempotency-Key each, a fixed
 *    number in flight, over a keep-alive node:http agent. Every answer must be 201 CONFIRMED.
 * 3. Baseline: for each order, the statements the framework's request path sends (copied from
 *    the server's statement log; the run checks they still match), in the same transactions and
 *    order, with postgres.js directly, at the same concurrency over a pool of the same size, in
 *    a database of its own on the same server (migrated and seeded by the modules), so the
 *    shop's background work never touches its rows. Run twice: as postgres.js sends statements
 *    by default (named, prepared) and unprepared as drizzle sends them, which separates
 *    PostgreSQL's parse/plan cost from the cost in this process.
 * 4. The paths alternate in rounds after a warm-up each, so drift in what the (shared, 2-core)
 *    machine gives hits all of them alike. CPU per order (this process, PostgreSQL) is reported
 *    too: it is steadier than throughput on a noisy machine.
 * 5. Statements per order are counted from the server log (log_statement = all) for one order
 *    of each path, outside the timed runs.
 *
 * Every loop is bounded in count and time; the servers are stopped at the end and on error.
 * Figures, not assertions: the process exits 0 whether or not the target is met.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { startApp, startModules, type RunningApp } from '../src/app/start.js';
import { loadConfig } from '../src/kernel/config.js';
import { Lifecycle } from '../src/kernel/lifecycle.js';
import { createLogger } from '../src/kernel/logger.js';
import { quote } from '../src/modules/shipping/rates.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server.js';
import { orderBody, ShopClient, testCards } from '../test/support/shop-client.js';
import { percentile } from './stats.js';

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

const concurrency = 16;
const warmupOrders = 200;
const warmupBudgetMs = 20_000;
/** Per path, over all rounds. */
const measuredOrders = 2_000;
const measuredBudgetMs = 20_000;
const rounds = 4;
/** The shop's postgres.js pool size (src/kernel/database.ts); the baseline uses the same. */
const poolSize = 10;
const itemsPerOrder = 2;
const stockPerProduct = 10_000_000;
const adminEmail = 'admin@seam.local';
const adminPassword = 'bench-admin-password';
const customerEmail = 'bench-customer@example.com';
const customerPassword = 'bench-customer-password';
/** Same lease and reservation lengths as the orders module's saga (src/modules/orders/module.ts). */
const sagaLeaseSeconds = 30;
const reservationTtlSeconds = 15 * 60;
const paymentLeaseSeconds = 30;
const baselineAppName = 'seam-bench-baseline';

// ---------------------------------------------------------------------------------------------
// Load generation and statistics
// ---------------------------------------------------------------------------------------------

/** What a path did over all its measured rounds. */
interface PathResult {
  readonly label: string;
  ok: number;
  failed: number;
  elapsedMs: number;
  readonly latenciesMs: number[];
  readonly failures: string[];
  /** CPU time of this process (all threads), user and system. */
  nodeUserMs: number;
  nodeSystemMs: number;
  /** CPU time of the PostgreSQL server processes; NaN when /proc cannot be read. */
  pgCpuMs: number;
}

const emptyResult = (label: string): PathResult => ({ label, ok: 0, failed: 0, elapsedMs: 0, latenciesMs: [], failures: [], nodeUserMs: 0, nodeSystemMs: 0, pgCpuMs: 0 });

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);

/** CPU milliseconds of the PostgreSQL postmaster and its children (backends, writers), from /proc. */
const postgresCpuMs = (dataDir: string): number => {
  try {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const ticksPerSecond = 100; // USER_HZ, 100 on every mainstream Linux
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // Fields after "(comm)": state ppid ... utime (14th overall) stime (15th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      if (pid !== postmaster && ppid !== postmaster) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks / ticksPerSecond) * 1000;
  } catch {
    return Number.NaN;
  }
};

/** A way to place order number `index`; every index is a new order. */
interface Path {
  readonly result: PathResult;
  readonly placeOrder: (index: number) => Promise<void>;
  nextIndex: number;
}

const newPath = (label: string, placeOrder: (index: number) => Promise<void>): Path => ({ result: emptyResult(label), placeOrder, nextIndex: 0 });

/**
 * Places orders through `path` with `concurrency` in flight until `maxOrders` have been started
 * or `budgetMs` has passed; a rejected promise is a failed order. With `into`, adds the figures.
 */
const runLoad = async (path: Path, options: { maxOrders: number; budgetMs: number; dataDir: string; into?: PathResult }): Promise<void> => {
  const into = options.into ?? emptyResult(path.result.label);
  const firstIndex = path.nextIndex;
  path.nextIndex += options.maxOrders;
  let next = 0;
  const deadline = Date.now() + options.budgetMs;
  const cpuBefore = process.cpuUsage();
  const pgBefore = postgresCpuMs(options.dataDir);
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < options.maxOrders && Date.now() < deadline) {
      const index = firstIndex + next;
      next += 1;
      const t0 = performance.now();
      try {
        await path.placeOrder(index);
        into.latenciesMs.push(performance.now() - t0);
        into.ok += 1;
      } catch (error) {
        into.failed += 1;
        if (into.failures.length < 5) into.failures.push(describeError(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  into.elapsedMs += performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  into.nodeUserMs += cpu.user / 1000;
  into.nodeSystemMs += cpu.system / 1000;
  into.pgCpuMs += postgresCpuMs(options.dataDir) - pgBefore;
};

/**
 * Warms every path up, then measures them in alternating rounds (each round starting with the
 * next path), so drift in what the machine can give (other load, CPU frequency) hits all alike.
 */
const measure = async (paths: readonly Path[], dataDir: string, settle: () => Promise<void>): Promise<void> => {
  for (const path of paths) {
    const warm = emptyResult(path.result.label);
    await runLoad(path, { maxOrders: warmupOrders, budgetMs: warmupBudgetMs, dataDir, into: warm });
    if (warm.failed > 0) console.log(`  ${path.result.label} warm-up: ${warm.failed} failed, e.g. ${warm.failures[0]}`);
    await settle();
  }
  const perRound = { maxOrders: Math.ceil(measuredOrders / rounds), budgetMs: measuredBudgetMs / rounds };
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < paths.length; k += 1) {
      const path = paths[(round + k) % paths.length]!;
      await runLoad(path, { ...perRound, dataDir, into: path.result });
      await settle();
    }
  }
  for (const { result } of paths) {
    result.latenciesMs.sort((a, b) => a - b);
    console.log(`  ${result.label}: ${result.ok} orders in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.failed} failed`);
    for (const failure of result.failures) console.log(`    failure: ${failure}`);
  }
};

// ---------------------------------------------------------------------------------------------
// The framework path: POST /api/v1/orders over keep-alive HTTP
// ---------------------------------------------------------------------------------------------

interface HttpReply {
  readonly status: number;
  readonly body: string;
}

const postJson = (agent: Agent, port: number, path: string, headers: Record<string, string>, body: string): Promise<HttpReply> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });

/** The lines of order `index`: `itemsPerOrder` consecutive products, one of each, round the catalog. */
const linesOf = (productIds: readonly string[], index: number): { productId: string; quantity: number }[] =>
  Array.from({ length: itemsPerOrder }, (_, line) => ({ productId: productIds[(index * itemsPerOrder + line) % productIds.length]!, quantity: 1 }));

const frameworkOrder = (agent: Agent, port: number, token: string, productIds: readonly string[], runId: string) => async (index: number): Promise<void> => {
  const reply = await postJson(
    agent,
    port,
    '/api/v1/orders',
    { authorization: `Bearer ${token}`, 'idempotency-key': `bench-${runId}-${index}` },
    JSON.stringify(orderBody(linesOf(productIds, index), testCards.good)),
  );
  const status = reply.status === 201 ? (JSON.parse(reply.body) as { status?: unknown }).status : undefined;
  if (reply.status !== 201 || status !== 'CONFIRMED') throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
};

// ---------------------------------------------------------------------------------------------
// The baseline: the same statements with postgres.js, no framework
// ---------------------------------------------------------------------------------------------

// The statement texts as the framework sends them (copied from the server's statement log),
// so PostgreSQL parses, plans and returns the same things in both paths.
const orderColumns =
  '"id", "user_id", "idempotency_key", "request_hash", "status", "items", "items_cents", "shipping_cents", "total_cents", "currency", "weight_grams", "shipping_address", "payment_id", "payment_last4", "shipment_id", "cancellation_reason", "cancellation_details", "saga_step", "saga_attempts", "saga_next_at", "saga_lease_until", "saga_owner", "created_at", "updated_at"';
const reservationColumns = '"id", "status", "items", "expires_at", "created_at", "updated_at"';
const paymentColumns =
  '"id", "order_id", "user_id", "amount_cents", "currency", "status", "last4", "brand", "attempt_id", "attempts", "processor_ref", "decline_reason", "refunded_cents", "refund_ref", "lease_until", "created_at", "updated_at", "captured_at", "refunded_at", coalesce("lease_until" <= now(), false) as "lease_expired"';
const shipmentColumns =
  '"id", "order_id", "user_id", "status", "service", "tracking_number", "address_name", "address_line1", "address_city", "address_postal_code", "address_country", "weight_grams", "created_at", "updated_at"';

const statements = {
  findOrderByKey: `select ${orderColumns} from "orders"."orders" where ("orders"."orders"."user_id" = $1 and "orders"."orders"."idempotency_key" = $2)`,
  productsByIds: (count: number) =>
    `select "catalog"."products"."id", "catalog"."products"."sku", "catalog"."products"."name", "catalog"."products"."description", "catalog"."products"."price_cents", "catalog"."products"."currency", "catalog"."products"."weight_grams", "catalog"."products"."created_at", "catalog"."categories"."slug", "catalog"."categories"."name" from "catalog"."products" inner join "catalog"."categories" on "catalog"."products"."category_id" = "catalog"."categories"."id" where "catalog"."products"."id" in (${Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ')})`,
  insertOrder: `insert into "orders"."orders" ("id", "user_id", "idempotency_key", "request_hash", "status", "items", "items_cents", "shipping_cents", "total_cents", "currency", "weight_grams", "shipping_address", "payment_id", "payment_last4", "shipment_id", "cancellation_reason", "cancellation_details", "saga_step", "saga_attempts", "saga_next_at", "saga_lease_until", "saga_owner", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, default, default, default, default, default, $13, default, default, now() + make_interval(secs => $14), $15, default, default) on conflict ("user_id","idempotency_key") do nothing returning ${orderColumns}`,
  claimSaga: `update "orders"."orders" set "saga_lease_until" = now() + make_interval(secs => $1), "saga_owner" = $2 where ("orders"."orders"."id" = $3 and "orders"."orders"."saga_step" <> $4 and ("orders"."orders"."saga_lease_until" is null or "orders"."orders"."saga_lease_until" < now() or "orders"."orders"."saga_owner" = $5)) returning ${orderColumns}`,
  lockReservation: `select ${reservationColumns} from "inventory"."reservations" where "inventory"."reservations"."id" = $1 for update`,
  takeStock: `update "inventory"."stock_levels" set "available" = "inventory"."stock_levels"."available" - $1, "updated_at" = $2 where ("inventory"."stock_levels"."product_id" = $3 and "inventory"."stock_levels"."available" >= $4) returning "product_id"`,
  insertReservation: `insert into "inventory"."reservations" ("id", "status", "items", "expires_at", "created_at", "updated_at") values ($1, $2, $3, $4, default, default) returning ${reservationColumns}`,
  advanceToCharge: `update "orders"."orders" set "saga_step" = $1, "saga_attempts" = $2, "saga_next_at" = now(), "saga_lease_until" = now() + make_interval(secs => $3), "saga_owner" = $4, "updated_at" = now() where ("orders"."orders"."id" = $5 and "orders"."orders"."saga_owner" = $6) returning ${orderColumns}`,
  insertPayment: `insert into "payments"."payments" ("id", "order_id", "user_id", "amount_cents", "currency", "status", "last4", "brand", "attempt_id", "attempts", "processor_ref", "decline_reason", "refunded_cents", "refund_ref", "lease_until", "created_at", "updated_at", "captured_at", "refunded_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, default, default, default, default, default, now() + make_interval(secs => $10), default, default, default, default) on conflict ("order_id") do nothing returning ${paymentColumns}`,
  insertAttempt: `insert into "payments"."attempts" ("id", "payment_id", "amount_cents", "currency", "last4", "brand", "outcome", "decline_reason", "processor_ref", "created_at", "finished_at") values ($1, $2, $3, $4, $5, $6, $7, default, default, default, default)`,
  finishPayment: `update "payments"."payments" set "status" = $1, "processor_ref" = $2, "decline_reason" = $3, "lease_until" = $4, "updated_at" = now(), "captured_at" = now() where ("payments"."payments"."attempt_id" = $5 and "payments"."payments"."status" = $6) returning ${paymentColumns}`,
  finishAttempt: `update "payments"."attempts" set "outcome" = $1, "decline_reason" = $2, "processor_ref" = $3, "finished_at" = now() where ("payments"."attempts"."id" = $4 and "payments"."attempts"."outcome" = $5)`,
  advanceToShip: `update "orders"."orders" set "payment_id" = $1, "payment_last4" = $2, "saga_step" = $3, "saga_attempts" = $4, "saga_next_at" = now(), "saga_lease_until" = now() + make_interval(secs => $5), "saga_owner" = $6, "updated_at" = now() where ("orders"."orders"."id" = $7 and "orders"."orders"."saga_owner" = $8) returning ${orderColumns}`,
  insertShipment: `insert into "shipping"."shipments" ("id", "order_id", "user_id", "status", "service", "tracking_number", "address_name", "address_line1", "address_city", "address_postal_code", "address_country", "weight_grams", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, default, default) on conflict ("order_id") do nothing returning ${shipmentColumns}`,
  insertTrackingEvent: `insert into "shipping"."tracking_events" ("id", "shipment_id", "status", "at") values (default, $1, $2, default)`,
  trackingHistory: `select "status", "at" from "shipping"."tracking_events" where "shipping"."tracking_events"."shipment_id" = $1 order by "shipping"."tracking_events"."id" asc`,
  advanceToConfirm: `update "orders"."orders" set "shipment_id" = $1, "saga_step" = $2, "saga_attempts" = $3, "saga_next_at" = now(), "saga_lease_until" = now() + make_interval(secs => $4), "saga_owner" = $5, "updated_at" = now() where ("orders"."orders"."id" = $6 and "orders"."orders"."saga_owner" = $7) returning ${orderColumns}`,
  setReservationStatus: `update "inventory"."reservations" set "status" = $1, "updated_at" = $2 where "inventory"."reservations"."id" = $3 returning ${reservationColumns}`,
  advanceToDone: `update "orders"."orders" set "status" = $1, "saga_step" = $2, "saga_attempts" = $3, "saga_next_at" = now(), "saga_lease_until" = $4, "saga_owner" = $5, "updated_at" = now() where ("orders"."orders"."id" = $6 and "orders"."orders"."saga_owner" = $7) returning ${orderColumns}`,
  insertOutbox: `insert into "orders".outbox (id, event_id, event_type, subscriber, payload, occurred_at) values ($1, $2, $3, $4, $5::jsonb, $6::timestamptz)`,
  findOrderById: `select ${orderColumns} from "orders"."orders" where "orders"."orders"."id" = $1`,
} as const;

/** What the baseline runs per order, for the report. */
const baselineDescription = [
  'baseline = the synchronous request path of one order, same statements, same transactions, same order:',
  '  idempotency-key lookup; product lookup; insert order; claim saga lease;',
  '  tx[lock reservation, take stock per line, insert reservation]; saga step update;',
  '  tx[insert payment, insert attempt]; tx[payment captured, attempt captured]; saga step update;',
  '  tx[insert shipment, insert tracking event, read tracking history]; saga step update;',
  '  tx[lock reservation, commit reservation]; tx[order CONFIRMED, outbox row]; read order back.',
  '  Not in it: HTTP, JWT check, validation, the in-memory card processor call, and the work done',
  '  after the answer (outbox relay delivering OrderConfirmed to notifications). It runs in a database',
  '  of its own on the same server, with the same pool size (10) and the same number in flight.',
];

type Sql = ReturnType<typeof postgres>;
/** postgres.js serialises objects and arrays to JSON, as drizzle does for jsonb columns. */
type Param = string | number | Date | null | readonly unknown[] | Readonly<Record<string, unknown>>;

interface ProductRow {
  id: string;
  name: string;
  price_cents: number;
  currency: string;
  weight_grams: number;
}

const shippingAddress = orderBody([]).shippingAddress;

/** One order through the baseline: what OrdersService.placeOrder and the saga do, minus the framework. */
/** The baseline's stand-in for the saga runner that owns its orders' leases. */
const runnerId = randomUUID();

const baselineOrder = (sql: Sql, userId: string, productIds: readonly string[], runId: string, prepare: boolean) => async (index: number): Promise<void> => {
  const run = <T extends readonly unknown[] = Record<string, unknown>[]>(db: Sql | postgres.TransactionSql, text: string, params: Param[]) =>
    db.unsafe(text, params as never[], { prepare }) as unknown as Promise<T>;
  const one = <T>(rows: readonly T[], what: string): T => {
    if (rows.length !== 1) throw new Error(`${what}: expected one row, got ${rows.length}`);
    return rows[0]!;
  };

  const requested = linesOf(productIds, index);
  const idempotencyKey = `baseline-${runId}-${index}`;
  const card = orderBody([], testCards.good).payment;
  // The idempotency digest, as the orders module makes it: what was asked, not the prices.
  const items = requested.map((line) => [line.productId, line.quantity] as const).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
  const { name, line1, city, postalCode, country } = shippingAddress;
  const requestHash = createHash('sha256')
    .update(JSON.stringify([items, [name, line1, city, postalCode, country], [card.cardNumber.slice(-4), card.expMonth, card.expYear]]))
    .digest('base64url');

  const existing = await run(sql, statements.findOrderByKey, [userId, idempotencyKey]);
  if (existing.length > 0) throw new Error('idempotency key already used');
  const ids = [...new Set(requested.map((line) => line.productId))];
  const products = await run<ProductRow[]>(sql, statements.productsByIds(ids.length), ids);
  const byId = new Map(products.map((product) => [product.id, product]));
  const lines = requested.map(({ productId, quantity }) => {
    const product = byId.get(productId);
    if (!product) throw new Error(`unknown product ${productId}`);
    return { productId, name: product.name, quantity, unitPriceCents: product.price_cents, lineTotalCents: product.price_cents * quantity };
  });
  const itemsCents = lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
  const weightGrams = requested.reduce((sum, line) => sum + byId.get(line.productId)!.weight_grams * line.quantity, 0);
  const currency = products[0]?.currency ?? 'EUR';
  const shippingCents = quote(shippingAddress.country, weightGrams).find((rate) => rate.service === 'standard')?.priceCents ?? 0;
  const totalCents = itemsCents + shippingCents;
  const orderId = randomUUID();

  one(
    await run(sql, statements.insertOrder, [
      orderId, userId, idempotencyKey, requestHash, 'PENDING', lines, itemsCents, shippingCents, totalCents, currency, weightGrams, shippingAddress, 'reserve',
      sagaLeaseSeconds, runnerId,
    ]),
    'insert order',
  );
  one(await run(sql, statements.claimSaga, [sagaLeaseSeconds, runnerId, orderId, 'done', runnerId]), 'claim saga');

  // reserve: all lines or none, in product order
  const reserved = [...lines].map(({ productId, quantity }) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
  await sql.begin(async (tx) => {
    if ((await run(tx, statements.lockReservation, [orderId])).length > 0) throw new Error('reservation exists');
    for (const line of reserved) one(await run(tx, statements.takeStock, [line.quantity, new Date(), line.productId, line.quantity]), 'take stock');
    one(await run(tx, statements.insertReservation, [orderId, 'RESERVED', reserved, new Date(Date.now() + reservationTtlSeconds * 1000)]), 'insert reservation');
  });
  one(await run(sql, statements.advanceToCharge, ['charge', 0, sagaLeaseSeconds, runnerId, orderId, runnerId]), 'advance to charge');

  // charge: claim the payment, (the card processor, skipped), record the capture
  const paymentId = randomUUID();
  const attemptId = randomUUID();
  const last4 = card.cardNumber.slice(-4);
  await sql.begin(async (tx) => {
    one(await run(tx, statements.insertPayment, [paymentId, orderId, userId, totalCents, currency, 'PROCESSING', last4, 'visa', attemptId, paymentLeaseSeconds]), 'insert payment');
    await run(tx, statements.insertAttempt, [attemptId, paymentId, totalCents, currency, last4, 'visa', 'PROCESSING']);
  });
  const processorRef = `sim_ch_${randomUUID()}`;
  await sql.begin(async (tx) => {
    one(await run(tx, statements.finishPayment, ['CAPTURED', processorRef, null, null, attemptId, 'PROCESSING']), 'finish payment');
    await run(tx, statements.finishAttempt, ['CAPTURED', null, processorRef, attemptId, 'PROCESSING']);
  });
  one(await run(sql, statements.advanceToShip, [paymentId, last4, 'ship', 0, sagaLeaseSeconds, runnerId, orderId, runnerId]), 'advance to ship');

  // ship
  const shipmentId = randomUUID();
  const trackingNumber = `SM${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
  await sql.begin(async (tx) => {
    one(
      await run(tx, statements.insertShipment, [
        shipmentId, orderId, userId, 'CREATED', 'standard', trackingNumber, shippingAddress.name, shippingAddress.line1, shippingAddress.city,
        shippingAddress.postalCode, shippingAddress.country, weightGrams,
      ]),
      'insert shipment',
    );
    await run(tx, statements.insertTrackingEvent, [shipmentId, 'CREATED']);
    one(await run(tx, statements.trackingHistory, [shipmentId]), 'tracking history');
  });
  one(await run(sql, statements.advanceToConfirm, [shipmentId, 'confirm', 0, sagaLeaseSeconds, runnerId, orderId, runnerId]), 'advance to confirm');

  // confirm: commit the reservation, then finish the order and write its event atomically
  await sql.begin(async (tx) => {
    one(await run(tx, statements.lockReservation, [orderId]), 'lock reservation');
    one(await run(tx, statements.setReservationStatus, ['COMMITTED', new Date(), orderId]), 'commit reservation');
  });
  await sql.begin(async (tx) => {
    one(await run(tx, statements.advanceToDone, ['CONFIRMED', 'done', 0, null, null, orderId, runnerId]), 'advance to done');
    const payload = { orderId, userId, totalCents, currency };
    await run(tx, statements.insertOutbox, [randomUUID(), randomUUID(), 'orders/v1#OrderConfirmed', 'notifications', payload, new Date().toISOString()]);
  });
  const final = one(await run<{ status: string }[]>(sql, statements.findOrderById, [orderId]), 'read order');
  if (final.status !== 'CONFIRMED') throw new Error(`order ended ${final.status}`);
};

// ---------------------------------------------------------------------------------------------
// Counting statements from the server log
// ---------------------------------------------------------------------------------------------

/** Statements the shop runs in the background, whatever the request in flight. */
const backgroundStatement = /outbox set locked_until|for update skip locked|"saga_next_at" <= now\(\)|"reservations"\."expires_at" </;

interface StatementLog {
  /** Starts logging every statement; returns a function that stops and gives the statements logged by `applicationName`. */
  capture(): Promise<() => Promise<string[]>>;
}

const statementLog = (admin: Sql, logFile: string, applicationName: string): StatementLog => ({
  async capture() {
    await admin.unsafe(`alter system set log_statement = 'all'`);
    await admin`select pg_reload_conf()`;
    await sleep(200); // every backend rereads the configuration before its next command; this is margin
    const from = readFileSync(logFile).length;
    return async () => {
      await admin.unsafe(`alter system reset log_statement`);
      await admin`select pg_reload_conf()`;
      await sleep(200);
      const text = readFileSync(logFile).subarray(from).toString('utf8');
      const marker = ` ${applicationName}: LOG:  `;
      return text
        .split('\n')
        .filter((line) => line.includes(marker))
        .map((line) => line.slice(line.indexOf(marker) + marker.length))
        .filter((line) => /^(statement|execute [^:]*): /.test(line));
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

const main = async (): Promise<void> => {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error(`cleanup: ${describeError(error)}`));
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`\n${signal}: stopping the servers`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    console.log(`checkout benchmark, node ${process.version}, ${concurrency} in flight, pool ${poolSize}, ${itemsPerOrder} lines per order`);
    console.log(
      `each path: ${warmupOrders} warm-up orders, then ${measuredOrders} orders or ${measuredBudgetMs / 1000} s (whichever comes first) ` +
        `in ${rounds} rounds that alternate the paths\n`,
    );

    const pg: PostgresServer = await startPostgres();
    cleanups.push(() => pg.stop());
    const logFile = join(dirname(pg.dataDir), 'postgres.log');
    const admin = postgres(pg.url, { max: 1, onnotice: () => undefined, connection: { application_name: 'seam-bench-admin' } });
    cleanups.push(() => admin.end({ timeout: 5 }));
    await admin.unsafe(`alter system set log_line_prefix = '%m [%p] %a: '`);
    await admin`select pg_reload_conf()`;
    const log = (applicationName: string) => statementLog(admin, logFile, applicationName);

    // --- the shop, in this process, production settings, loopback only ---
    const jwtSecret = randomUUID() + randomUUID();
    const logger = createLogger({ level: 'error' });
    const configFor = (databaseUrl: string) =>
      loadConfig({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        JWT_SECRET: jwtSecret,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'error',
        SEAM_SEED: 'auto',
        ADMIN_EMAIL: adminEmail,
        ADMIN_PASSWORD: adminPassword,
      });

    // The baseline gets its own database on the same server, migrated and seeded by the modules
    // themselves, so the shop's background work (outbox relay, saga resumer) never sees its rows.
    await admin.unsafe('create database seam_baseline');
    const baselineUrlObject = new URL(pg.url);
    baselineUrlObject.pathname = '/seam_baseline';
    const baselineUrl = baselineUrlObject.toString();
    const preparing = new Lifecycle(logger);
    try {
      const { host } = await startModules(configFor(baselineUrl), logger, preparing);
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

    let app: RunningApp | undefined = await startApp(configFor(pg.url), logger);
    const stopApp = async (): Promise<void> => {
      const running = app;
      app = undefined;
      await running?.stop();
    };
    cleanups.push(stopApp);
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
    const token = login.body.token;
    console.log(`setup: ${productIds.length} products stocked with ${stockPerProduct} units each, one customer signed in`);

    // --- the paths ---
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    cleanups.push(async () => agent.destroy());
    const runId = randomUUID().slice(0, 8);
    const placeViaHttp = frameworkOrder(agent, Number(url.port), token, productIds, runId);
    const sql = postgres(baselineUrl, { max: poolSize, onnotice: () => undefined, connection: { application_name: baselineAppName } });
    cleanups.push(() => sql.end({ timeout: 5 }));
    const baselineUser = randomUUID();
    const framework = newPath('framework', placeViaHttp);
    const baseline = newPath('baseline', baselineOrder(sql, baselineUser, productIds, runId, true));
    const unprepared = newPath('baseline, unprepared', baselineOrder(sql, baselineUser, productIds, `${runId}-u`, false));

    // Between runs, let the shop's outbox relay deliver what the framework's orders published,
    // so that work lands in the framework's runs (while it keeps up) and not in the next path's.
    const settle = async (): Promise<void> => {
      for (let poll = 0; poll < 100; poll += 1) {
        const [row] = await admin<{ n: number }[]>`select count(*)::int as n from orders.outbox where status = 'pending'`;
        if ((row?.n ?? 0) === 0) return;
        await sleep(100);
      }
      console.log('  (the outbox relay still had a backlog after 10 s)');
    };
    await measure([framework, baseline, unprepared], pg.dataDir, settle);

    // --- statements per order, from the server log, outside the timed runs ---
    await app.host.relay.stop();
    const frameworkLog = await log('seam').capture();
    await placeViaHttp(10_000_000);
    const frameworkStatements = (await frameworkLog()).filter((line) => !backgroundStatement.test(line));
    const relayLog = await log('seam').capture();
    await app.host.relay.drain();
    const relayStatements = (await relayLog()).filter((line) => !backgroundStatement.test(line));
    await stopApp();
    agent.destroy();
    const baselineLog = await log(baselineAppName).capture();
    await baselineOrder(sql, baselineUser, productIds, `${runId}-count`, true)(0);
    const baselineStatements = await baselineLog();
    const statementText = (line: string): string => line.replace(/^(statement|execute [^:]*): /, '').trim();
    const firstDifference = frameworkStatements.findIndex((line, i) => statementText(line) !== statementText(baselineStatements[i] ?? ''));

    // --- report ---
    const rows = [
      { result: framework.result, statements: frameworkStatements.length },
      { result: baseline.result, statements: baselineStatements.length },
      { result: unprepared.result, statements: baselineStatements.length },
    ];
    const throughput = (result: PathResult): number => (result.ok / result.elapsedMs) * 1000;
    const perOrder = (ms: number, result: PathResult): number => (result.ok > 0 ? ms / result.ok : Number.NaN);
    const header = ['path', 'orders', 'failed', 'orders/s', 'p50 ms', 'p99 ms', 'node CPU ms/order (user+sys)', 'pg CPU ms/order', 'SQL/order'];
    const widths = [22, 7, 7, 9, 8, 8, 29, 16, 10];
    const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' ');
    console.log(`\n${line(header)}`);
    for (const { result, statements: count } of rows) {
      console.log(
        line([
          result.label,
          String(result.ok),
          String(result.failed),
          fmt(throughput(result)),
          fmt(percentile(result.latenciesMs, 50), 2),
          fmt(percentile(result.latenciesMs, 99), 2),
          `${fmt(perOrder(result.nodeUserMs + result.nodeSystemMs, result))} (${fmt(perOrder(result.nodeUserMs, result))}+${fmt(perOrder(result.nodeSystemMs, result))})`,
          fmt(perOrder(result.pgCpuMs, result)),
          String(count),
        ]),
      );
    }
    const ratio = throughput(framework.result) / throughput(baseline.result);
    console.log(`\nframework / baseline throughput: ${ratio.toFixed(2)}; target >= 0.60: ${ratio >= 0.6 ? 'met' : 'NOT met'}`);
    console.log(`framework / unprepared baseline (the statements sent as drizzle sends them, unnamed): ${(throughput(framework.result) / throughput(unprepared.result)).toFixed(2)}`);
    console.log(
      `SQL statements per order, request path (begin/commit included): framework ${frameworkStatements.length}, baseline ${baselineStatements.length}; ` +
        `after the answer the framework's outbox relay runs ${relayStatements.length} more to deliver the order's event (plus one claim per batch of events)`,
    );
    console.log(
      firstDifference < 0 && frameworkStatements.length === baselineStatements.length
        ? 'statement texts: the baseline sent exactly the framework\'s statements, in the same order'
        : `statement texts differ from statement ${firstDifference + 1}: framework "${statementText(frameworkStatements[firstDifference] ?? '').slice(0, 160)}", ` +
            `baseline "${statementText(baselineStatements[firstDifference] ?? '').slice(0, 160)}"`,
    );
    const cpuPerOrder = (result: PathResult): number => perOrder(result.nodeUserMs + result.nodeSystemMs + result.pgCpuMs, result);
    console.log(
      `CPU per order (this process + PostgreSQL): framework ${fmt(cpuPerOrder(framework.result))} ms, baseline ${fmt(cpuPerOrder(baseline.result))} ms; ` +
        `baseline/framework ${fmt(cpuPerOrder(baseline.result) / cpuPerOrder(framework.result), 2)} (steadier than the throughput ratio when other processes load the machine)`,
    );
    const failedTotal = rows.reduce((sum, row) => sum + row.result.failed, 0);
    if (failedTotal > 0) console.log(`failed orders: ${failedTotal} (see the failures printed above)`);
    console.log(`node CPU covers this whole process: for the framework that is the HTTP client, the server, the modules and the relay`);
    for (const text of baselineDescription) console.log(text);
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};

await main();
