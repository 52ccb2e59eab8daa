/**
 * Where the CLI finds the project's application and entry point: the sources under tsx, and
 * the same build as itself when compiled, wherever that build is (dist/, a test build).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runnableFile } from './project.js';

const root = mkdtempSync(join(tmpdir(), 'seam-project-'));
writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The URL project.ts has when compiled into `build` (a folder of `root`). */
const compiledCliIn = (build: string): string => {
  mkdirSync(join(root, build, 'scripts', 'cli'), { recursive: true });
  return pathToFileURL(join(root, build, 'scripts', 'cli', 'project.js')).href;
};

describe('runnableFile', () => {
  const application = join(root, 'src', 'application.ts');

  it('is the source itself when the CLI runs from its sources', () => {
    expect(runnableFile(application, pathToFileURL(join(root, 'scripts', 'cli', 'project.ts')).href)).toBe(application);
  });

  it('is the compiled file in dist/ for the CLI compiled there', () => {
    expect(runnableFile(application, compiledCliIn('dist'))).toBe(join(root, 'dist', 'src', 'application.js'));
  });

  it('is the compiled file in the CLI’s own build when that is somewhere else', () => {
    expect(runnableFile(application, compiledCliIn(join('.seam', 'test-builds', 'run-1')))).toBe(join(root, '.seam', 'test-builds', 'run-1', 'src', 'application.js'));
  });
});
