/**
 * @module What a build is made from, and whether a build is older than it: `npm start`,
 * `npm run split` and the benchmarks rebuild only when something changed since the last build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Paths (relative to the project root) whose change can change the build: the compiled
 * folders (tsconfig.build.json's include), test/ because the benchmarks import test/support/,
 * and the files that configure the compiler and pin the dependencies.
 */
export const buildInputs: readonly string[] = ['src', 'scripts', 'bench', 'test', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/**
 * The latest modification time (ms) of `path` or anything under it. Directories count too: a
 * deleted file changes its directory's time, and deleting must rebuild (its output must go).
 */
export const latestChange = (path: string): number => {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, latestChange(join(path, entry)));
  return latest;
};

/** Whether a build finished at `builtAt` (ms; undefined: never) is older than any input under `root`. */
export const isStale = (root: string, builtAt: number | undefined): boolean =>
  builtAt === undefined || buildInputs.some((input) => latestChange(join(root, input)) > builtAt);
