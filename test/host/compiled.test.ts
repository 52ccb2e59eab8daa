/**
 * The compiled build as production runs it: `npm run build` into a folder laid out like the
 * image's /app (package.json, dist/, and a node_modules with the production dependencies only,
 * tsx and esbuild left out), then the entry point under plain node. No loader can be involved:
 * none is on the command line or in NODE_OPTIONS, and none is installed where the code looks.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetRoots, runtimeAssets } from '../../scripts/build/assets.js';
import { startMain } from '../support/main-process.js';
import { linkProductionDependencies } from '../support/production-dependencies.js';

const root = join(import.meta.dirname, '..', '..');
const app = mkdtempSync(join(tmpdir(), 'seam-compiled-'));
const dist = join(app, 'dist');
const main = join(dist, 'src', 'main.js');
/** Starting compiles PGlite's WebAssembly, migrates and seeds: it can take half a minute on a busy 2-core machine. */
const startTimeoutMs = 120_000;
const productionCommand = (entry: string): [string, ...string[]] => [process.execPath, '--enable-source-maps', entry];

beforeAll(async () => {
  // A build of its own, so a developer's dist/ is neither used nor overwritten.
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out-dir', dist], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
  mkdirSync(join(app, 'node_modules'));
  const linked = linkProductionDependencies(root, join(app, 'node_modules'), ['tsx', 'esbuild', '@esbuild']);
  expect(linked).toContain('hono');
}, 300_000);

/** Processes a test started, killed at the end should a failed test leave one running. */
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(app, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));

describe('the compiled build', () => {
  it('holds JavaScript with source maps, every file the code reads at run time, and no TypeScript', () => {
    const files = filesUnder(dist);
    expect(files).toContain('src/main.js');
    expect(files).toContain('src/main.js.map');
    expect(files).toContain('scripts/provision-database.js');
    expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.test.js'))).toEqual([]);
    // Each module's migrations (SQL and drizzle's journal), found next to the compiled module.
    const assets = runtimeAssets(join(root, 'src'));
    for (const module of readdirSync(join(root, 'src', 'modules'))) {
      expect(assets).toContain(`modules/${module}/migrations/meta/_journal.json`);
      expect(assets.some((asset) => asset.startsWith(`modules/${module}/migrations/`) && asset.endsWith('.sql'))).toBe(true);
    }
    // These, and those of every other folder the compiled code reads files from, are all there.
    for (const assetRoot of assetRoots) {
      expect(runtimeAssets(join(dist, assetRoot)).filter((file) => !file.endsWith('.js') && !file.endsWith('.js.map'))).toEqual(runtimeAssets(join(root, assetRoot)));
    }
  });

  it('runs under plain node with production dependencies only: ready, serving the catalog, exiting 0 on SIGTERM', async () => {
    const started = startMain(
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        JWT_SECRET: 'a-test-secret-of-at-least-32-characters',
        PGLITE_DIR: join(app, 'pglite'),
        SEAM_SEED: 'auto',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      },
      { argv: productionCommand(main), cwd: app },
    );
    children.push(started.child);
    const url = await started.listening;
    const pid = started.child.pid ?? 0;
    // What node was started with, and that nothing reached it through the environment.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual(productionCommand(main));
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((entry) => entry.startsWith('NODE_OPTIONS='))).toEqual([]);

    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const response = await fetch(`${url}/api/v1/products?limit=3`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(3);

    started.child.kill('SIGTERM');
    const exit = await started.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('"msg":"stopped"');
  }, startTimeoutMs);

  it('names the TypeScript file and line in a stack trace', async () => {
    // An uncaught ConfigError thrown inside the compiled kernel, printed by node itself.
    const config = pathToFileURL(join(dist, 'src', 'kernel', 'config.js')).href;
    const script = `import { loadConfig } from ${JSON.stringify(config)}; loadConfig({ PORT: 'eighty' });`;
    const child = spawn(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT: expected a whole number');
    expect(stderr).toMatch(/src\/kernel\/config\.ts:\d+:\d+/);
    expect(stderr).not.toMatch(/dist\/src\/kernel\/config\.js:\d+/);
  });
});
