/**
 * `npm run build`: compiles the application, its scripts and the benchmarks to JavaScript in
 * dist/ (tsconfig.build.json: same folder layout, source maps), then copies what the compiled
 * code reads by path (the migrations; build/assets.ts). Production runs the result with plain node:
 * `node --enable-source-maps dist/src/main.js`.
 *
 *   tsx scripts/build.ts [--out-dir <dir>] [--if-stale]
 *
 * --out-dir   build somewhere else than dist/ (the test that runs the compiled code does).
 * --if-stale  do nothing when the last build into that folder is newer than every input
 *             (how `npm start`, `npm run split` and the benchmarks build first, cheaply).
 *
 * A build starts from an empty folder, so the output of a deleted source never lingers, and
 * fails (exit 1, nothing marked as built) on any type error: production code type-checks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyRuntimeAssets } from './build/assets.js';
import { buildInputs, isStale } from './build/inputs.js';
import { projectRootOf } from './entry-command.js';

const root = projectRootOf(import.meta.dirname);
const { values } = parseArgs({ options: { 'out-dir': { type: 'string' }, 'if-stale': { type: 'boolean' } } });
const outDir = resolve(values['out-dir'] ?? join(root, 'dist'));
/** Written last, dated when the build started: a source saved during the build makes it stale. */
const stamp = join(outDir, '.build-stamp');
const shown = relative(root, outDir).startsWith('..') ? outDir : relative(root, outDir);

/** Whether deleting `dir` could take a source with it: the project itself, or anything the build reads. */
const holdsSources = (dir: string): boolean => {
  const inside = (parent: string, child: string): boolean => !relative(parent, child).startsWith('..');
  return inside(dir, root) || buildInputs.some((input) => inside(join(root, input), dir));
};

const build = (): void => {
  if (holdsSources(outDir)) throw new Error(`Refusing to build into ${outDir}: it is or holds the project's sources`);
  const startedAt = new Date();
  rmSync(outDir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { cwd: root, stdio: 'inherit' });
  if (compiled.status !== 0) {
    console.error(`build failed: tsc exited with ${compiled.status ?? compiled.signal}`);
    process.exit(1);
  }
  const assets = copyRuntimeAssets(root, outDir);
  writeFileSync(stamp, `built from ${root}\n`);
  utimesSync(stamp, startedAt, startedAt);
  const seconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(1);
  console.log(`built ${shown} in ${seconds} s (${assets} runtime files copied)`);
};

if (values['if-stale'] && !isStale(root, existsSync(stamp) ? statSync(stamp).mtimeMs : undefined)) {
  console.log(`${shown} is up to date`);
} else {
  build();
}
