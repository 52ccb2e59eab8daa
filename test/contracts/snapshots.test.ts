/**
 * Runs the real `seam contracts` against the committed snapshots, and against copies of
 * them edited to look like the code changed a contract without a major version bump.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testBuildEntry } from '../support/test-build.js';

const root = join(import.meta.dirname, '..', '..');
const committed = join(root, 'contracts');

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const contracts = (...args: string[]): Promise<Result> =>
  new Promise((resolve) => {
    const cli = testBuildEntry('scripts/cli/main.ts');
    execFile(cli.command, [...cli.args, 'contracts', ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });

type Json = Record<string, any>;
const temporaries: string[] = [];
const copyOfSnapshots = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'seam-contracts-'));
  temporaries.push(dir);
  cpSync(committed, dir, { recursive: true });
  return dir;
};
const edit = (dir: string, file: string, change: (snapshot: Json) => void): void => {
  const path = join(dir, file);
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as Json;
  change(snapshot);
  writeFileSync(path, `${JSON.stringify(snapshot, null, 2)}\n`);
};

afterEach(() => {
  for (const dir of temporaries.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Each run starts a process and loads every module: seconds apiece on a busy machine.
describe('npm run check:contracts', { timeout: 180_000 }, () => {
  it('passes on the committed snapshots', async () => {
    const result = await contracts('check');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no breaking changes/);
    expect(result.stdout).not.toMatch(/additive changes/);
  });

  it('fails, naming the field, when a contract lost an output field without a major bump', async () => {
    const dir = copyOfSnapshots();
    // A snapshot with a field the code no longer has is what removing that field looks like.
    edit(dir, 'catalog.v1.json', (snapshot) => {
      const output = snapshot['methods']['getProduct']['output'];
      output['properties']['legacySlug'] = { type: 'string' };
      output['required'].push('legacySlug');
    });
    const before = readFileSync(join(dir, 'catalog.v1.json'), 'utf8');

    const [check, snapshot] = await Promise.all([contracts('check', '--dir', dir), contracts('snapshot', '--dir', dir)]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('catalog/v1 getProduct output: field "legacySlug" removed');

    expect(snapshot.code).toBe(1);
    expect(snapshot.stderr).toMatch(/Refusing to write snapshots/);
    expect(readFileSync(join(dir, 'catalog.v1.json'), 'utf8')).toBe(before);

    const forced = await contracts('snapshot', '--dir', dir, '--force');
    expect(forced.code).toBe(0);
    expect((await contracts('check', '--dir', dir)).code).toBe(0);
  });

  it('passes an additive change and records it with contracts:snapshot', async () => {
    const dir = copyOfSnapshots();
    // The code has an optional input field the snapshot does not know yet.
    edit(dir, 'catalog.v1.json', (snapshot) => {
      delete snapshot['methods']['listProducts']['input']['properties']['cursor'];
    });

    const [check, strict] = await Promise.all([contracts('check', '--dir', dir), contracts('check', '--dir', dir, '--strict')]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('catalog/v1 listProducts input: field "cursor" added (optional)');
    expect(check.stdout).toContain('run npx seam contracts snapshot to record them');
    expect(strict.code).toBe(1);

    expect((await contracts('snapshot', '--dir', dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'catalog.v1.json'), 'utf8')).toBe(readFileSync(join(committed, 'catalog.v1.json'), 'utf8'));
    const after = await contracts('check', '--dir', dir);
    expect(after.code).toBe(0);
    expect(after.stdout).not.toMatch(/additive changes/);
  });

  it('fails for a contract without a snapshot, telling how to make one', async () => {
    const dir = copyOfSnapshots();
    unlinkSync(join(dir, 'orders.v1.json'));
    const check = await contracts('check', '--dir', dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/no snapshot yet for orders\/v1 .*run npx seam contracts snapshot/);
  });
});
