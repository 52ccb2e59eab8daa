/**
 * The API reference at /docs in a real browser (Debian's Chromium, driven by playwright-core)
 * against a running shop: every operation is listed, "try it out" sends a request and shows
 * the answer, nothing is fetched from another host, and the console stays free of errors.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { browserWaitMs, openChromium, type ChromiumSession } from '../support/chromium-session.js';
import { startTestApp } from '../support/test-app.js';

describe('/docs in Chromium', () => {
  let app: RunningApp;
  let chromium: ChromiumSession;
  let page: Page;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    chromium = await openChromium();
    page = chromium.page;
    const origin = new URL(app.url).origin;
    // Offline means offline: any request to another host fails the test instead of leaving.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    await page.goto(`${app.url}/docs`);
  });

  afterAll(async () => {
    await chromium?.close();
    await app?.stop();
  });

  it('lists every operation of the OpenAPI document', async () => {
    const document = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    const expected = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    await page.locator('.opblock').first().waitFor();
    const listed = await page.locator('.opblock').evaluateAll((blocks) => blocks.map((block) => block.id));
    expect(listed.map((id) => id.split('-').pop()).sort()).toEqual([...expected].sort());
    expect(await page.title()).toBe('Seam shop API reference');
    await chromium.screenshot('docs');
  });

  it('sends GET /products from the page and shows the answer', async () => {
    const operation = page.locator('[id$="-listProducts"]');
    await operation.locator('.opblock-summary').click();
    await operation.locator('input[placeholder="limit"]').fill('2');
    await operation.locator('button.execute').click();
    const answer = operation.locator('.live-responses-table .response');
    await expect.poll(async () => (await answer.locator('.response-col_status').first().textContent())?.trim(), { timeout: browserWaitMs }).toBe('200');
    const body = await answer.locator('.response-col_description pre').first().textContent();
    const page1 = JSON.parse(body ?? '') as { items: { name: string }[] };
    expect(page1.items).toHaveLength(2);
    expect(await operation.locator('.request-url pre').textContent()).toContain('/api/v1/products?limit=2');
    await chromium.screenshot('docs-try-it');
  });

  it('fetched nothing from another host and logged no console errors', () => {
    expect(foreignRequests).toEqual([]);
    expect(chromium.consoleErrors).toEqual([]);
  });
});
