/**
 * The split runner refuses what would otherwise go wrong late and misleadingly (issue 16):
 * a gateway port another process holds (it would answer the runner's readiness probe), an
 * invalid topology (exit 78, as `npm start`), and a database where inventory's data has moved
 * out while orders that refer to it stayed (seeding would make up stock). Each through the
 * runner's real entry point or its real start, against real PostgreSQL.
 */
import { application } from '../../src/application.js';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderBody, ShopClient } from '../../test/support/shop-client.js';
import { startTestApp } from '../../test/support/test-app.js';
import { testBuildEntry } from '../../test/support/test-build.js';
import { SeedRefusedError } from '../../src/kernel/module-data.js';
import { projectRootOf } from '../entry-command.js';
import { startPostgres, type PostgresServer } from '../local-servers/postgres-server.js';
import { startSplit } from './run-split.js';
import { ServiceProcess } from './service-process.js';

const root = projectRootOf(import.meta.dirname);
const extracted = join(root, 'deploy', 'examples', 'inventory-extracted.yaml');

/** Runs `npm run split`'s entry (scripts/split.ts, from the test build) with `env` only; resolves with how it ended. */
const runSplitEntry = async (env: Record<string, string>): Promise<{ code: number | null; stderr: string }> => {
  const entry = testBuildEntry('scripts/split.ts');
  const child = spawn(entry.command, entry.args, {
    cwd: entry.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
};

/** Another process on a loopback port that answers /readyz 200, as an earlier run's gateway would. */
const squatter = async (): Promise<{ server: Server; port: number }> => {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready","checks":{}}'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { server, port: address.port };
};

describe('the split runner refuses', () => {
  let taken: Awaited<ReturnType<typeof squatter>>;
  beforeAll(async () => {
    taken = await squatter();
  });
  afterAll(() => taken?.server.close());

  it('a gateway port already in use, in one line naming the port and the service, before it starts anything', async () => {
    const { code, stderr } = await runSplitEntry({ SEAM_TOPOLOGY: extracted, PORT: String(taken.port) });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^Port ${taken.port} on 127\\.0\\.0\\.1 is already in use, and the gateway service shop must listen there`))]);
    expect((await fetch(`http://127.0.0.1:${taken.port}/readyz`)).status).toBe(200);
  });

  it('an answer on its port from a process it did not start, however ready that one says it is', async () => {
    const instance = new ServiceProcess({ service: 'shop', replica: 0, port: taken.port, entry: testBuildEntry('src/main.ts'), env: { NODE_ENV: 'test', PGLITE_DIR: 'memory://', LOG_LEVEL: 'silent' } });
    await expect(instance.start()).rejects.toThrow(`shop#0: another process answers on http://127.0.0.1:${taken.port}`);
    expect(instance.running).toBe(false);
  });

  it('an invalid topology, with exit code 78 as npm start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seam-topology-'));
    try {
      const file = join(dir, 'topology.yaml');
      writeFileSync(file, 'services:\n  shop:\n    gateway: true\n    modules: [identity, catalog]\n');
      const { code, stderr } = await runSplitEntry({ SEAM_TOPOLOGY: file, PORT: '0' });
      expect(code).toBe(78);
      expect(stderr).toContain(`Topology ${file} is not valid`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a database whose inventory moved out while its orders stayed', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
    // The monolith seeds it and takes an order: orders now refer to inventory's stock.
    const app = await startTestApp({ DATABASE_URL: server.url, SEAM_SEED: 'auto' });
    try {
      const shopper = await new ShopClient(app.url).signIn('ada@example.com');
      const products = await shopper.get<{ items: { id: string }[] }>('/products?limit=1');
      const order = await shopper.post('/orders', orderBody([{ productId: products.body.items[0]!.id, quantity: 1 }]), { 'Idempotency-Key': randomUUID() });
      expect(order.status).toBe(201);
    } finally {
      await app.stop();
    }
    const sql = postgres(server.url, { max: 1, onnotice: () => undefined });
    await sql`alter schema inventory rename to inventory_moved`;
    await sql.end();
  });
  afterAll(() => server?.stop());

  it('is refused by the runner before it provisions or starts anything, saying why and what to do', async () => {
    const started = startSplit({ application, topologyPath: extracted, databaseUrl: server.url, gatewayPort: 0, env: { SEAM_SEED: 'auto' } });
    await expect(started).rejects.toBeInstanceOf(SeedRefusedError);
    await expect(started).rejects.toThrow(/module inventory: its schema "inventory" holds no data, but module orders holds data that refers to it.*Point DATABASE_URL at the database that holds schema "inventory"/s);
    const sql = postgres(server.url, { max: 1, onnotice: () => undefined });
    try {
      expect(await sql`select rolname from pg_roles where rolname like 'seam\\_%'`).toEqual([]);
      expect(await sql`select nspname from pg_namespace where nspname = 'inventory'`).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  it('is refused by a service that seeds on start and sees every schema', async () => {
    await expect(startTestApp({ DATABASE_URL: server.url, SEAM_SEED: 'auto' })).rejects.toThrow(/Refusing to load sample data into module inventory/);
  });
});
