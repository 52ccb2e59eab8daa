/**
 * @module Vitest's global setup: makes this run's test build (test-build.ts) before any test
 * file starts, and removes it after the last. Both projects name it; they share one build.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { copyRuntimeAssets } from '../../scripts/build/assets.js';

const root = join(import.meta.dirname, '..', '..');
/** What tests start as processes: the application and the scripts that run it (split, the CLI). */
const compiled = ['src', 'scripts'];
const isSource = (name: string): boolean => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.test-support.ts') && !name.endsWith('.d.ts');

const sourcesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && isSource(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));

const parent = join(root, '.seam', 'test-builds');

const makeBuild = async (): Promise<string> => {
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(join(parent, 'run-'));
  await build({
    entryPoints: compiled.flatMap(sourcesUnder),
    outdir: outDir,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    sourcemap: true,
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'error',
  });
  copyRuntimeAssets(root, outDir);
  return outDir;
};

interface SharedBuild {
  readonly outDir: Promise<string>;
  users: number;
}

// Each project loads this file as a module of its own: the build they share hangs off the process.
const sharedKey = Symbol.for('seam.testBuild');
const holder = globalThis as { [sharedKey]?: SharedBuild };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (holder[sharedKey] ??= { outDir: makeBuild(), users: 0 });
  shared.users += 1;
  project.provide('seamTestBuild', await shared.outDir);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete holder[sharedKey];
    rmSync(await shared.outDir, { recursive: true, force: true });
    // Leave no empty folders behind: a project whose tests ran must look as before (test/docs walks check).
    for (const folder of [parent, dirname(parent)]) {
      try {
        rmdirSync(folder);
      } catch {
        break; // not empty: another run's build, or the project's own .seam/ data
      }
    }
  };
}
