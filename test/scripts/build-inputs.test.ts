/**
 * When `--if-stale` rebuilds (npm start, npm run split, the benchmarks): after any change to a
 * source or a configuration file, including a deleted file, and not otherwise.
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeAssets } from '../../scripts/build/assets.js';
import { isStale } from '../../scripts/build/inputs.js';

const project = mkdtempSync(join(tmpdir(), 'seam-build-inputs-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** Sets `path`'s modification time to `ms`. */
const touch = (path: string, ms: number): void => utimesSync(path, ms / 1000, ms / 1000);

describe('isStale', () => {
  // A minute ago, so what the tests do now (delete a file) comes after it.
  const builtAt = Date.now() - 60_000;
  mkdirSync(join(project, 'src', 'modules', 'catalog', 'migrations'), { recursive: true });
  const files = ['src/main.ts', 'src/modules/catalog/migrations/0000_init.sql', 'tsconfig.json', 'package.json'];
  const resetTimes = (): void => {
    for (const file of files) touch(join(project, file), builtAt - 60_000);
    for (const dir of ['src', 'src/modules', 'src/modules/catalog', 'src/modules/catalog/migrations']) touch(join(project, dir), builtAt - 60_000);
  };
  for (const file of files) writeFileSync(join(project, file), '');

  it('is stale with no build yet, and fresh when everything is older than the build', () => {
    resetTimes();
    expect(isStale(project, undefined)).toBe(true);
    expect(isStale(project, builtAt)).toBe(false);
  });

  it.each(files)('is stale once %s changed after the build', (file) => {
    resetTimes();
    touch(join(project, file), builtAt + 1000);
    expect(isStale(project, builtAt)).toBe(true);
  });

  it('is stale once a file was deleted after the build, so its output goes too', () => {
    const doomed = join(project, 'src', 'modules', 'catalog', 'migrations', '0001_dropped.sql');
    writeFileSync(doomed, '');
    resetTimes();
    touch(doomed, builtAt - 60_000);
    expect(isStale(project, builtAt)).toBe(false);
    unlinkSync(doomed);
    expect(isStale(project, builtAt)).toBe(true);
  });
});

describe('runtimeAssets', () => {
  it('lists every file under a folder that is not TypeScript', () => {
    expect(runtimeAssets(join(project, 'src'))).toEqual(['modules/catalog/migrations/0000_init.sql']);
  });
});
