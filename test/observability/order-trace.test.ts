/**
 * One order, traced end to end and exported over OTLP/HTTP to a receiver the test runs: in the
 * split (a process per service, real PostgreSQL and Redis), one trace from the gateway through
 * orders, inventory, payments and shipping, the outbox, the relay and the BullMQ queue to
 * notifications, every parent present; in the monolith, the same tree of contract calls.
 * Then every service's /metrics: each metric a dashboard queries is there, no label holds an id.
 *
 * The same split, with the dashboard on and two gateway replicas, is then looked at in
 * Chromium (one split start serves both, a split being the slowest thing a test starts):
 * /_seam lists every module and every instance healthy (the other gateway replica too), the
 * order's waterfall holds spans from the services that recorded them, an order the other
 * gateway replica took is listed, found and drawn as well, and a catalog replica killed last shows up
 * unhealthy within seconds.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../../src/application.js';
import type { RunningApp } from '../../src/host/start.js';
import { serviceCredentials } from '../../src/transport/http/service-credential.js';
import { headers } from '../../src/transport/http/wire.js';
import type { RunningSplit } from '../../scripts/split/run-split.js';
import { openChromium, screenshotDir, type ChromiumSession } from '../support/chromium-session.js';
import { startOtlpReceiver, spanKind, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { orderBody, ShopClient, testCards } from '../support/shop-client.js';
import { startTestSplit } from '../support/shop-deployments.js';
import { startTestApp } from '../support/test-app.js';
import { ancestry, contractCallEdges, orphans, traceOf, type Trace } from '../support/trace-tree.js';
import { queriedMetricNames } from '../support/dashboards.js';
import { waitFor } from '../support/wait-for.js';

const exporting = (receiver: OtlpReceiver): Record<string, string> => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' });

/** One order for a product, placed through the gateway at `url` by a new customer (`who` names them and the key) paying with `card`. */
const placeOrder = async (url: string, who: string, card: string = testCards.good) => {
  const customer = await new ShopClient(url).signIn(`${who}-${Date.now()}@example.com`);
  const products = await customer.get<{ items: { id: string }[] }>('/products?limit=1');
  return customer.post<{ id: string; status: string }>('/orders', orderBody([{ productId: products.body.items[0]!.id, quantity: 1 }], card), { 'idempotency-key': `${who}-${Date.now()}` });
};

/** Places one order as a new customer; the trace the gateway's span for it began. */
const placeTracedOrder = async (url: string, receiver: OtlpReceiver): Promise<{ orderId: string; traceId: string }> => {
  const placed = await placeOrder(url, 'traced');
  expect(placed.status).toBe(201);
  const request = await waitFor(
    async () => receiver.spans.find((span) => span.name === 'POST /api/v1/orders' && span.kind === spanKind.server),
    (found) => found !== undefined,
    30_000,
    'the gateway span of POST /api/v1/orders',
  );
  return { orderId: placed.body.id, traceId: request!.traceId };
};

/** The trace once notifications has handled the order's OrderConfirmed in it. */
const confirmedTrace = (receiver: OtlpReceiver, traceId: string): Promise<Trace> =>
  waitFor(
    async () => traceOf(receiver.spans, traceId),
    (trace) => trace.spans.some((span) => span.name === 'handle orders/v1#OrderConfirmed'),
    30_000,
    'notifications to handle OrderConfirmed in the order trace',
  );

const named = (trace: Trace, name: string, service?: string): ReceivedSpan => {
  const span = trace.spans.find((candidate) => candidate.name === name && (service === undefined || candidate.service === service));
  expect(span, `a span ${name}${service ? ` in ${service}` : ''} in ${trace.spans.map((s) => `${s.service}:${s.name}`).join(', ')}`).toBeDefined();
  return span!;
};

let receiver: OtlpReceiver;
let split: RunningSplit;
let chromium: ChromiumSession;
let order: { orderId: string; traceId: string };
let trace: Trace;

let topologyDir: string;

/** deploy/split/topology.yaml with two gateway replicas, each with a dashboard that shows the other. */
const twoGatewayTopology = async (): Promise<string> => {
  const topology = parse(await readFile('deploy/split/topology.yaml', 'utf8')) as { services: Record<string, { replicas?: number }> };
  topology.services['gateway']!.replicas = 2;
  topologyDir = await mkdtemp(join(tmpdir(), 'seam-topology-'));
  const path = join(topologyDir, 'topology.yaml');
  await writeFile(path, stringify(topology));
  return path;
};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // Chromium starts while the services do.
  [split, chromium] = await Promise.all([startTestSplit({ ...exporting(receiver), SEAM_DASHBOARD: 'on' }, undefined, await twoGatewayTopology()), openChromium()]);
  order = await placeTracedOrder(split.gatewayUrl, receiver);
  trace = await confirmedTrace(receiver, order.traceId);
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await split?.stop();
  await receiver?.close();
  if (topologyDir) await rm(topologyDir, { recursive: true, force: true });
  console.log(`dashboard screenshots: ${screenshotDir}`);
});

describe('an order traced through the split', () => {
  it('is one trace with one root, the request, and every parent present', () => {
    expect(trace.spans.filter((span) => span.parentSpanId === '').map((span) => `${span.service}:${span.name}`)).toEqual(['gateway:POST /api/v1/orders']);
    expect(orphans(trace).map((span) => `${span.service}:${span.name}`)).toEqual([]);
    expect(new Set(trace.spans.map((span) => span.service))).toEqual(new Set(['gateway', 'orders', 'catalog', 'inventory', 'payments', 'shipping', 'notifications']));
  });

  it('crosses each service as a client span and, under it, the server span of the same call', () => {
    const servers = trace.spans.filter((span) => span.kind === spanKind.server && span.attributes['rpc.system'] === 'seam');
    expect(servers.map((span) => span.service)).toEqual(expect.arrayContaining(['orders', 'catalog', 'inventory', 'payments', 'shipping']));
    for (const server of servers) {
      const client = trace.byId.get(server.parentSpanId);
      expect({ kind: client?.kind, name: client?.name }, `${server.service}:${server.name}`).toEqual({ kind: spanKind.client, name: server.name });
      expect(client?.service).not.toBe(server.service);
    }
  });

  it('goes from the request through the checkout, the outbox, the relay and the queue to the notification', () => {
    const handled = named(trace, 'handle orders/v1#OrderConfirmed', 'notifications');
    const path = ancestry(trace, handled).map((span) => `${span.service}:${span.name}`);
    expect(path).toEqual([
      'gateway:POST /api/v1/orders',
      'gateway:orders/v1/placeOrder',
      'orders:orders/v1/placeOrder',
      // The checkout's last record and its event: one transaction.
      'orders:transaction',
      'orders:publish orders/v1#OrderConfirmed',
      'orders:relay orders/v1#OrderConfirmed',
      'orders:send seam.events.notifications',
      'notifications:process seam.events.notifications',
      'notifications:handle orders/v1#OrderConfirmed',
    ]);
    // Asynchronous hops also link back to the span that sent them.
    const processed = trace.byId.get(handled.parentSpanId)!;
    expect(processed.links.map((link) => link.spanId)).toEqual([processed.parentSpanId]);
    for (const step of ['checkout reserve', 'checkout charge', 'checkout ship']) expect(named(trace, step, 'orders').attributes['seam.saga.name']).toBe('checkout');
    // The inbox row and the handler's writes: one transaction, under the handler's span.
    const inbox = named(trace, 'transaction', 'notifications');
    expect({ parent: trace.byId.get(inbox.parentSpanId)?.name, system: inbox.attributes['db.system.name'] }).toEqual({ parent: 'handle orders/v1#OrderConfirmed', system: 'postgresql' });
  });

  it('shows on /metrics every metric a dashboard queries, from the services of the split, with no id in a label', async () => {
    // A declined card: a cancelled checkout with a compensation, so the saga's counters have series too.
    const declined = await placeOrder(split.gatewayUrl, 'declined', testCards.declined);
    expect(declined.status).toBe(402);
    // A service of the deployment calling a contract it may not: refused, and counted.
    const notifications = serviceCredentials({ secret: split.sharedEnv['SEAM_SERVICE_SECRET']!, service: 'notifications' });
    const refused = await fetch(`${split.instance('inventory').url}/rpc/inventory/v1/reserve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [headers.credential]: await notifications.current() },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    const scrapes = await Promise.all(split.instances.map(async (instance) => ({ service: instance.spec.service, text: await (await fetch(`${instance.url}/metrics`)).text() })));
    const samples = scrapes.flatMap(({ service, text }) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => ({ service, line })));
    const exposed = new Set(samples.map(({ line }) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]));
    expect(queriedMetricNames().filter((name) => !exposed.has(name))).toEqual([]);
    const idLike = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{16,}\b|\d{6,}|127\.0\.0\.1|:\d{4,5}\b/i;
    const labelled = samples.filter(({ line }) => line.startsWith('seam_') || line.startsWith('http_server_'));
    expect(labelled.length).toBeGreaterThan(100);
    expect(labelled.filter(({ line }) => idLike.test(line.slice(0, line.lastIndexOf('}') + 1))).map(({ service, line }) => `${service}: ${line}`)).toEqual([]);
  });

  it('keeps its calls as the tree the monolith draws too', async () => {
    const monolithReceiver = await startOtlpReceiver();
    let monolith: RunningApp | undefined;
    try {
      monolith = await startTestApp(exporting(monolithReceiver));
      const { traceId } = await placeTracedOrder(monolith.url, monolithReceiver);
      const inProcess = await confirmedTrace(monolithReceiver, traceId);
      expect(orphans(inProcess)).toEqual([]);
      expect(new Set(inProcess.spans.map((span) => span.service))).toEqual(new Set(['shop']));
      expect(contractCallEdges(inProcess)).toEqual(contractCallEdges(trace));
      expect(contractCallEdges(trace)).toContain('orders/v1/placeOrder > payments/v1/charge');
    } finally {
      await monolith?.stop();
      await monolithReceiver.close();
    }
  }, 120_000);
});

/** The instances page's rows: service, URL, the instance id the instance reported, health. */
const instanceRows = async (page: Page) => {
  await page.goto(`${split.gatewayUrl}/_seam/instances`);
  return page
    .locator('#instances tr[data-service]')
    .evaluateAll((rows) => rows.map((row) => ({ service: row.getAttribute('data-service'), url: row.getAttribute('data-url'), instance: row.getAttribute('data-instance'), health: row.getAttribute('data-health') })));
};

describe('the split’s dashboard in Chromium', () => {
  it('shows all seven modules, each in its own service', async () => {
    const { page } = chromium;
    await page.goto(`${split.gatewayUrl}/_seam`);
    const listed = await page.locator('#modules tr[data-module]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-module')));
    expect(listed).toEqual(application.modules.map((module) => module.name));
    expect(listed).toHaveLength(7);
    expect(await page.locator('#services td strong').allTextContents()).toEqual(split.topology.services.map((service) => service.name));
    await chromium.screenshot('split-architecture');
  });

  it('shows every instance of every service healthy, and the gateway’s breakers closed', async () => {
    const rows = await instanceRows(chromium.page);
    const expected = split.instances.map((instance) => ({ service: instance.spec.service, instance: instance.instanceId, health: 'healthy' }));
    expect(rows.map(({ service, instance, health }) => ({ service, instance, health }))).toEqual(expect.arrayContaining(expected));
    expect(rows).toHaveLength(expected.length);
    const breakers = await chromium.page.locator('[data-breaker]').allTextContents();
    expect(breakers).toHaveLength(application.modules.length);
    expect(new Set(breakers)).toEqual(new Set(['closed']));
    await chromium.screenshot('split-instances');
  });

  it('finds the order’s trace and draws its waterfall with the spans each service recorded', async () => {
    const { page } = chromium;
    await page.goto(`${split.gatewayUrl}/_seam/traces?q=${order.orderId}`);
    const found = page.locator('#traces tr[data-trace]');
    expect(await found.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-trace')))).toEqual([order.traceId]);
    await found.locator('a').click();
    await page.locator('#waterfall').waitFor();
    const spans = await page.locator('#waterfall tr[data-span]').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-service')}:${row.getAttribute('data-span')}`));
    expect(spans[0]).toBe('gateway:POST /api/v1/orders');
    // A server span is recorded by the service that ran the call, not by its caller.
    expect(spans).toEqual(expect.arrayContaining(['gateway:orders/v1/placeOrder', 'orders:orders/v1/placeOrder', 'orders:payments/v1/charge', 'payments:payments/v1/charge']));
    expect(await page.locator('#unanswered').count()).toBe(0);
    await chromium.screenshot('split-waterfall');
  });

  it('lists, finds and draws an order the other gateway replica took, with the spans that replica keeps', async () => {
    const placed = await placeOrder(split.instance('gateway', 1).url, 'replica');
    expect(placed.status).toBe(201);
    const { page } = chromium;
    const found = page.locator('#traces tr[data-trace]');
    await expect
      .poll(async () => {
        await page.goto(`${split.gatewayUrl}/_seam/traces?q=${placed.body.id}`);
        return found.count();
      }, { timeout: 15_000, interval: 500 })
      .toBe(1);
    const traceId = await found.getAttribute('data-trace');
    // Listed among the recent traces too, though this replica took none of its requests.
    await page.goto(`${split.gatewayUrl}/_seam/traces`);
    expect(await page.locator(`#traces tr[data-trace="${traceId}"]`).count()).toBe(1);
    await page.goto(`${split.gatewayUrl}/_seam/traces?q=${placed.body.id}`);
    await found.locator('a').click();
    await page.locator('#waterfall').waitFor();
    const spans = await page.locator('#waterfall tr[data-span]').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-service')}:${row.getAttribute('data-span')}`));
    expect(spans[0]).toBe('gateway:POST /api/v1/orders');
    expect(spans).toEqual(expect.arrayContaining(['gateway:orders/v1/placeOrder', 'orders:orders/v1/placeOrder']));
    expect(await page.locator('#unanswered').count()).toBe(0);
  });

  it('serves the API reference at /docs from the gateway, every operation listed', async () => {
    const document = (await (await fetch(`${split.gatewayUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(document.paths).reduce((count, item) => count + Object.keys(item).length, 0);
    const { page } = chromium;
    await page.goto(`${split.gatewayUrl}/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operations);
    await chromium.screenshot('split-docs');
  });

  // Last of the checks on the split: it has one catalog replica fewer from here on.
  it('shows a killed catalog replica unhealthy within seconds', async () => {
    const victim = split.instance('catalog', 1);
    await victim.stop('SIGKILL');
    await expect
      .poll(async () => (await instanceRows(chromium.page)).find((row) => row.url === victim.url)?.health, { timeout: 15_000, interval: 500 })
      .toMatch(/^(unreachable|gone)$/);
    const survivor = (await instanceRows(chromium.page)).find((row) => row.instance === split.instance('catalog', 0).instanceId);
    expect(survivor?.health).toBe('healthy');
    await chromium.screenshot('split-instances-replica-killed');
  });

  it('logged no console errors', () => {
    expect(chromium.consoleErrors).toEqual([]);
  });
});
