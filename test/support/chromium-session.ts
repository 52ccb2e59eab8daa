/**
 * @module One headless Chromium page for browser tests (Debian's Chromium, driven by
 * playwright-core), recording every console error and uncaught page error, and saving
 * screenshots to SCREENSHOT_DIR, by default a folder in the system's temporary directory.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** How long a page, a locator or the launch may take. */
export const browserWaitMs = 20_000;

/** Where screenshots are written. */
export const screenshotDir = process.env['SCREENSHOT_DIR'] ?? join(tmpdir(), 'seam-dashboard-screenshots');

export interface ChromiumSession {
  readonly browser: Browser;
  readonly page: Page;
  /** Console errors and uncaught exceptions of every page loaded so far. */
  readonly consoleErrors: readonly string[];
  /** Saves the whole page as `<name>.png` in the screenshot folder. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export const openChromium = async (): Promise<ChromiumSession> => {
  mkdirSync(screenshotDir, { recursive: true });
  // --no-sandbox: the tests run as root, where Chromium's sandbox cannot start.
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless=new', '--no-sandbox'], timeout: browserWaitMs });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(browserWaitMs);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return {
    browser,
    page,
    consoleErrors,
    screenshot: async (name) => {
      await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
    },
    close: () => browser.close(),
  };
};
