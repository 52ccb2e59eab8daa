/**
 * The real entry point as a user runs it: a child process that starts, serves, and stops
 * cleanly on SIGTERM; and a bad setting that stops it before it starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMain } from '../support/main-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'seam-process-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('src/main.ts', () => {
  it('starts on an empty embedded database, seeds it, serves the catalog and exits 0 on SIGTERM', async () => {
    const main = startMain({ NODE_ENV: 'development', PORT: '0', PGLITE_DIR: join(dataDir, 'pglite') });
    const url = await main.listening;
    const response = await fetch(`${url}/api/v1/products?limit=3`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(3);
    main.child.kill('SIGTERM');
    const exit = await main.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('"msg":"stopped"');
  });

  it('keeps its data across a restart and does not seed twice', async () => {
    const main = startMain({ NODE_ENV: 'development', PORT: '0', PGLITE_DIR: join(dataDir, 'pglite') });
    const url = await main.listening;
    const page = (await (await fetch(`${url}/api/v1/products?limit=100`)).json()) as { items: unknown[] };
    expect(page.items).toHaveLength(100);
    main.child.kill('SIGINT');
    const exit = await main.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).not.toContain('catalog seeded');
  });

  it('refuses to start with a bad setting, naming it', async () => {
    const main = startMain({ PORT: 'eighty' });
    const exit = await main.exited;
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('PORT: expected a whole number from 0 to 65535, got "eighty"');
  });
});
