/**
 * The dashboard at /_seam in a real browser (Debian's Chromium, driven by playwright-core)
 * against a running monolith with SEAM_DASHBOARD=on: the architecture page lists every
 * module, an order placed through the API shows up among the recent traces, found by its id,
 * and its waterfall holds the request, the placeOrder call and the payment; the instances
 * page says every module runs in this process; replaying a dead letter takes an
 * administrator. (The split's dashboard is checked in test/observability/order-trace.test.ts,
 * on the split that file starts anyway; production's login in test/host/dashboard-access.test.ts.) Screenshots go to SCREENSHOT_DIR, by default a folder in the
 * system's temporary directory; the test prints where.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../../src/application.js';
import type { RunningApp } from '../../src/host/start.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import { browserWaitMs, openChromium, screenshotDir, type ChromiumSession } from '../support/chromium-session.js';
import { ShopClient, orderBody } from '../support/shop-client.js';
import { startTestApp } from '../support/test-app.js';

const jwtSecret = `dashboard-test-${'x'.repeat(32)}`;

describe('/_seam in Chromium', () => {
  let app: RunningApp;
  let chromium: ChromiumSession;
  let page: Page;

  beforeAll(async () => {
    // Started together: the shop's start (migrations, seed) and Chromium's take about as long.
    [app, chromium] = await Promise.all([startTestApp({ SEAM_DASHBOARD: 'on', JWT_SECRET: jwtSecret }), openChromium()]);
    page = chromium.page;
  });

  afterAll(async () => {
    await chromium?.close();
    await app?.stop();
    console.log(`dashboard screenshots: ${screenshotDir}`);
  });

  it('shows every module, the service running it, and who calls whom', async () => {
    await page.goto(`${app.url}/_seam`);
    const listed = await page.locator('#modules tr[data-module]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-module')));
    expect(listed).toEqual(application.modules.map((module) => module.name));
    expect(listed).toHaveLength(7);
    expect(await page.locator('#services td strong').allTextContents()).toEqual([app.service.name]);
    expect(await page.locator('#edges').textContent()).toContain('payments/v1');
    await chromium.screenshot('architecture');
  });

  it('lists a placed order among the recent traces and draws its waterfall', async () => {
    const customer = await new ShopClient(app.url).signIn(`dashboard-${randomUUID()}@example.com`);
    const products = await customer.get<{ items: { id: string; available: number }[] }>('/products?limit=50');
    const product = products.body.items.find((item) => item.available > 0);
    if (!product) throw new Error('the seeded catalog has no product in stock');
    const placed = await customer.post<{ id: string }>('/orders', orderBody([{ productId: product.id, quantity: 1 }]), { 'idempotency-key': randomUUID() });
    expect(placed.status).toBe(201);

    await page.goto(`${app.url}/_seam/traces`);
    await page.locator('input[name="q"]').fill(placed.body.id);
    await page.locator('form button[type="submit"]').click();
    const found = page.locator('#traces tr[data-trace]');
    await expect.poll(() => found.count(), { timeout: browserWaitMs }).toBe(1);
    expect(await found.locator('a').textContent()).toBe('POST /api/v1/orders');
    await chromium.screenshot('traces');

    await found.locator('a').click();
    await page.locator('#waterfall').waitFor();
    const spans = await page.locator('#waterfall tr[data-span]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span')));
    expect(spans[0]).toBe('POST /api/v1/orders');
    expect(spans).toEqual(expect.arrayContaining(['orders/v1/placeOrder', 'payments/v1/charge']));
    await chromium.screenshot('waterfall');
  });

  it('says every module runs in this process, which is ready', async () => {
    await page.goto(`${app.url}/_seam/instances`);
    expect(await page.locator('main').textContent()).toContain('Every module runs in this process');
    expect(await page.locator('#instances tr[data-service]').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-service'), row.getAttribute('data-health')]))).toEqual([
      [app.service.name, 'healthy'],
    ]);
    await chromium.screenshot('instances');
  });

  it('shows each publishing module’s outbox', async () => {
    await page.goto(`${app.url}/_seam/outbox`);
    expect(await page.locator('#outboxes tr[data-module="orders"]').count()).toBe(1);
    await chromium.screenshot('outbox');
  });

  it('replays a dead letter for an administrator only', async () => {
    // As a script would: by bearer token, which needs no login form and no Origin header.
    const replay = (authorization?: string) =>
      fetch(`${app.url}/_seam/outbox/replay`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : { origin: app.url }) },
        body: new URLSearchParams({ schema: 'orders', id: randomUUID() }),
      });
    const tokens = accessTokens(jwtSecret, 600);
    const customer = await tokens.issue({ userId: randomUUID(), email: 'someone@example.com', role: 'customer' });
    const admin = await tokens.issue({ userId: randomUUID(), email: 'admin@example.com', role: 'admin' });
    expect((await replay()).status).toBe(401);
    expect((await replay(`Bearer ${customer.token}`)).status).toBe(403);
    const answer = await replay(`Bearer ${admin.token}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/_seam/outbox?replayed=none');
  });

  it('logged no console errors', () => {
    expect(chromium.consoleErrors).toEqual([]);
  });
});
