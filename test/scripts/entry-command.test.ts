/**
 * How scripts start the entry point and other entry files: in the form they run in themselves,
 * so a compiled split run or benchmark never starts TypeScript under tsx, and tests (tsx) never
 * depend on a build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { entryCommand, isCompiled, projectRootOf } from '../../scripts/entry-command.js';

const root = join(import.meta.dirname, '..', '..');
/** A folder laid out like the image's /app: package.json, and the build under dist/. */
const app = mkdtempSync(join(tmpdir(), 'seam-entry-'));
writeFileSync(join(app, 'package.json'), '{"type":"module"}');
mkdirSync(join(app, 'dist', 'scripts', 'split'), { recursive: true });

afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('entryCommand', () => {
  it('runs the TypeScript source under tsx when the caller is TypeScript (development, tests)', () => {
    const caller = pathToFileURL(join(root, 'scripts', 'split', 'service-process.ts')).href;
    expect(isCompiled(caller)).toBe(false);
    expect(entryCommand(caller, '../../src/main')).toEqual({
      command: process.execPath,
      args: ['--import', 'tsx', join(root, 'src', 'main.ts')],
      cwd: root,
    });
  });

  it('runs the compiled file beside it under plain node with the production flags when the caller is compiled', () => {
    const caller = pathToFileURL(join(app, 'dist', 'scripts', 'split', 'service-process.js')).href;
    expect(isCompiled(caller)).toBe(true);
    expect(entryCommand(caller, '../../src/main')).toEqual({
      command: process.execPath,
      args: ['--enable-source-maps', join(app, 'dist', 'src', 'main.js')],
      // The project root, where relative topology paths and .seam/ resolve: not dist/.
      cwd: app,
    });
  });

  it('finds the project root above a compiled file, and refuses a folder outside any project', () => {
    expect(projectRootOf(join(app, 'dist', 'scripts', 'split'))).toBe(app);
    expect(projectRootOf(join(root, 'scripts', 'split'))).toBe(root);
    expect(() => projectRootOf('/')).toThrow(/No package.json at or above \//);
  });
});
