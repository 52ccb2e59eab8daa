/**
 * The real entry point as a user runs it: a child process that starts, serves, and stops
 * cleanly on SIGTERM; and a bad setting that stops it before it starts.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromSource, startMain } from '../support/main-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'seam-process-'));
/**
 * Each test starts the entry point as a process; those that serve also compile PGlite's
 * WebAssembly, migrate and seed. A busy 2-core machine running other test files alongside
 * can take a minute over that, so the bound is generous: it only has to catch a hang.
 */
const processTimeoutMs = 180_000;

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('src/main.ts', { timeout: processTimeoutMs }, () => {
  it('starts from its TypeScript sources under tsx on an empty embedded database, seeds it, serves the catalog and exits 0 on SIGTERM', async () => {
    const main = startMain({ NODE_ENV: 'development', PORT: '0', PGLITE_DIR: join(dataDir, 'pglite') }, fromSource);
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

  it('refuses a bad setting of a module, naming it, before touching any database', async () => {
    const main = startMain({ PORT: '0', CHECKOUT_LEASE_SECONDS: 'half a minute', PGLITE_DIR: join(dataDir, 'never-created-by-settings') });
    const exit = await main.exited;
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('CHECKOUT_LEASE_SECONDS: expected a whole number of seconds, got "half a minute"');
    expect(existsSync(join(dataDir, 'never-created-by-settings'))).toBe(false);
  });

  it('refuses a topology that leaves a module out, naming it, before touching any database', async () => {
    const topology = join(dataDir, 'broken.yaml');
    writeFileSync(topology, 'services:\n  shop:\n    gateway: true\n    modules: [identity, catalog, catalog]\n');
    const main = startMain({ PORT: '0', SEAM_TOPOLOGY: topology, PGLITE_DIR: join(dataDir, 'never-created') });
    const exit = await main.exited;
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('module "catalog" is placed twice: in "shop" and in "shop"');
    expect(exit.stderr).toMatch(/no service runs "inventory", "payments", "shipping", "orders", "notifications"/);
    expect(existsSync(join(dataDir, 'never-created'))).toBe(false);
  });

  it('refuses to run a service of a split topology without Redis and a service secret', async () => {
    const main = startMain({ PORT: '0', SEAM_TOPOLOGY: 'deploy/split/topology.yaml', SEAM_SERVICE: 'catalog', PGLITE_DIR: 'memory://' });
    const exit = await main.exited;
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('REDIS_URL: required when the topology has several services');
    expect(exit.stderr).toContain('SEAM_SERVICE_SECRET: required when the topology has several services');
  });
});
