/**
 * File changes: applied, they create, change and delete; shown as a diff, the diff is one
 * that `git apply` takes to the same result.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyChanges, diffOf, type FileChange } from './file-changes.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'seam-changes-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const lines = (count: number, change: (line: number) => string = (line) => `line ${line}`): string =>
  Array.from({ length: count }, (_, index) => `${change(index + 1)}\n`).join('');

/** Three files: one changed in two places far apart, one new in a new folder, one deleted. */
const plan = (): FileChange[] => {
  const before = lines(30);
  writeFileSync(join(root, 'changed.yaml'), before);
  writeFileSync(join(root, 'deleted.yaml'), 'gone: true\n');
  return [
    { path: join(root, 'changed.yaml'), before, after: lines(30, (line) => (line === 2 ? 'second' : line === 25 ? 'twenty-five\nand one more' : `line ${line}`)) },
    { path: join(root, 'new', 'created.yaml'), before: undefined, after: 'fresh: true\n' },
    { path: join(root, 'deleted.yaml'), before: 'gone: true\n', after: undefined },
  ];
};

describe('file changes', () => {
  it('applied: files are changed, created (with their folders) and deleted', () => {
    const changes = plan();
    applyChanges(changes);
    expect(readFileSync(join(root, 'changed.yaml'), 'utf8')).toBe(changes[0]?.after);
    expect(readFileSync(join(root, 'new', 'created.yaml'), 'utf8')).toBe('fresh: true\n');
    expect(existsSync(join(root, 'deleted.yaml'))).toBe(false);
  });

  it('as a diff: paths relative to the root, a hunk per distant change, three lines of context', () => {
    const diff = diffOf(root, plan());
    expect(diff).toContain('--- a/changed.yaml\n+++ b/changed.yaml\n@@ -1,5 +1,5 @@\n line 1\n-line 2\n+second\n line 3\n');
    expect(diff).toContain('@@ -22,7 +22,8 @@\n line 22\n line 23\n line 24\n-line 25\n+twenty-five\n+and one more\n line 26\n');
    expect(diff).toContain('--- /dev/null\n+++ b/new/created.yaml\n@@ -0,0 +1,1 @@\n+fresh: true');
    expect(diff).toContain('--- a/deleted.yaml\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-gone: true');
  });

  it('as a diff: git apply makes the same files as applying the changes', () => {
    const changes = plan();
    const patch = join(root, 'changes.diff');
    writeFileSync(patch, `${diffOf(root, changes)}\n`);
    execFileSync('git', ['apply', patch], { cwd: root });
    for (const change of changes) {
      if (change.after === undefined) expect(existsSync(change.path)).toBe(false);
      else expect(readFileSync(change.path, 'utf8')).toBe(change.after);
    }
  });
});
