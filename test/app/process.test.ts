/**
 * The real entry point as a user runs it: a child process that starts, serves, and stops
 * cleanly on SIGTERM; and a bad setting that stops it before it starts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const dataDir = mkdtempSync(join(tmpdir(), 'seam-process-'));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

const startMain = (env: Record<string, string>) => {
  const child = spawn(tsx, ['src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((exit) => reject(new Error(`exited ${exit.code} before listening: ${exit.stderr}`)));
  });
  return { child, listening, exited };
};

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
    main.listening.catch(() => undefined);
    const exit = await main.exited;
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('PORT: expected a whole number from 0 to 65535, got "eighty"');
  });
});
