/**
 * @module The files compiled code reads by path at run time, copied next to it: tsc emits
 * JavaScript only. Each module's migrations/ folder (SQL and drizzle's meta JSON), found via
 * `new URL('./migrations', import.meta.url)`, is the case today; any other file under src/
 * that is not TypeScript goes along the same way, so a new one needs no change here.
 */
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Folders whose non-TypeScript files the compiled code reads: the application's, and the
 * migrations of the test modules bench:queue runs (test/support/greeter-modules.ts finds them
 * from its own folder). A folder that is not there (the image's build has no test/) is skipped.
 */
export const assetRoots: readonly string[] = ['src', 'test/kernel/fixtures'];

const isTypeScript = (path: string): boolean => path.endsWith('.ts');

/** Every file under `dir` that is not TypeScript, relative to `dir`, sorted. */
export const runtimeAssets = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !isTypeScript(entry.name))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();

/** Copies the runtime assets of each of `assetRoots` under `root` into the same path under `outDir`; returns how many. */
export const copyRuntimeAssets = (root: string, outDir: string): number => {
  let copied = 0;
  for (const assetRoot of assetRoots.filter((candidate) => existsSync(join(root, candidate)))) {
    for (const asset of runtimeAssets(join(root, assetRoot))) {
      cpSync(join(root, assetRoot, asset), join(outDir, assetRoot, asset));
      copied += 1;
    }
  }
  return copied;
};
