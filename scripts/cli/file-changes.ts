/**
 * @module Planned file edits: what a file holds before and after, so a command can show them
 * as a diff (`--dry-run`) or write them, and a test can check an edit and its inverse byte
 * for byte.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

/** One file's change; `before` undefined means a new file, `after` undefined a deleted one. */
export interface FileChange {
  /** Absolute path. */
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** Writes, creates and deletes the files as planned. */
export const applyChanges = (changes: readonly FileChange[]): void => {
  for (const change of changes) {
    if (change.after === undefined) {
      rmSync(change.path, { force: true });
      continue;
    }
    mkdirSync(dirname(change.path), { recursive: true });
    writeFileSync(change.path, change.after);
  }
};

/** Lines around each change that a hunk shows, as `diff -u` does. */
const context = 3;

type Edit = { readonly kind: ' ' | '-' | '+'; readonly line: string };

const linesOf = (text: string | undefined): string[] => {
  if (text === undefined || text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

/** The shortest edit from `before` to `after` (longest common subsequence; deploy files are short). */
const editsOf = (before: readonly string[], after: readonly string[]): Edit[] => {
  const width = after.length + 1;
  const common = new Uint32Array((before.length + 1) * width);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i * width + j] = before[i] === after[j] ? (common[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(common[(i + 1) * width + j] ?? 0, common[i * width + j + 1] ?? 0);
    }
  }
  const edits: Edit[] = [];
  let [i, j] = [0, 0];
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      edits.push({ kind: ' ', line: before[i] as string });
      i++;
      j++;
    } else if (i < before.length && (j === after.length || (common[(i + 1) * width + j] ?? 0) >= (common[i * width + j + 1] ?? 0))) {
      // Removals before additions where either keeps the common part, as diff -u shows them.
      edits.push({ kind: '-', line: before[i++] as string });
    } else {
      edits.push({ kind: '+', line: after[j++] as string });
    }
  }
  return edits;
};

/** The hunks of one file: changed lines with `context` lines around, runs closer than that joined. */
const hunksOf = (edits: readonly Edit[]): string[] => {
  const changed = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  const hunks: string[] = [];
  let at = 0;
  while (at < changed.length) {
    const start = Math.max(0, (changed[at] as number) - context);
    let end = changed[at] as number;
    while (at < changed.length && (changed[at] as number) - end <= 2 * context) end = changed[at++] as number;
    const stop = Math.min(edits.length, end + context + 1);
    const shown = edits.slice(start, stop);
    const oldStart = edits.slice(0, start).filter((edit) => edit.kind !== '+').length;
    const newStart = edits.slice(0, start).filter((edit) => edit.kind !== '-').length;
    const oldCount = shown.filter((edit) => edit.kind !== '+').length;
    const newCount = shown.filter((edit) => edit.kind !== '-').length;
    hunks.push(`@@ -${oldCount === 0 ? oldStart : oldStart + 1},${oldCount} +${newCount === 0 ? newStart : newStart + 1},${newCount} @@`);
    hunks.push(...shown.map((edit) => `${edit.kind}${edit.line}`));
  }
  return hunks;
};

/** The changes as a unified diff, paths relative to `root`. */
export const diffOf = (root: string, changes: readonly FileChange[]): string =>
  changes
    .flatMap((change) => {
      const path = relative(root, change.path);
      return [
        `--- ${change.before === undefined ? '/dev/null' : `a/${path}`}`,
        `+++ ${change.after === undefined ? '/dev/null' : `b/${path}`}`,
        ...hunksOf(editsOf(linesOf(change.before), linesOf(change.after))),
      ];
    })
    .join('\n');
