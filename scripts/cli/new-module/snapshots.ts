/**
 * @module Records a new module's snapshots: its contract's and the public API's with its route,
 * as `seam contracts snapshot` and `seam api snapshot` do. They run in a fresh process
 * (record-snapshots.ts) in the project, because this process has already loaded the
 * application and the edge as they were before the module existed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryCommand } from '../../entry-command.js';
import { CliFailure } from '../cli-errors.js';
import { applyChanges, type FileChange } from '../file-changes.js';
import type { Project } from '../project.js';

/** The files of `dir` (not below it) and what they hold. */
const contentsOf = (dir: string): Map<string, string> =>
  new Map(
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => [join(dir, entry.name), readFileSync(join(dir, entry.name), 'utf8')] as const)
      : [],
  );

/** What changed in `dir` since `before` was read. */
const changesSince = (dir: string, before: ReadonlyMap<string, string>): FileChange[] =>
  [...contentsOf(dir)]
    .filter(([path, text]) => before.get(path) !== text)
    .map(([path, text]) => ({ path, before: before.get(path), after: text }));

/**
 * Records the contracts' then the public API's snapshots in the project; returns the snapshot
 * files written. When that fails, what was written is put back and the failure says why.
 */
export const recordSnapshots = (project: Project): FileChange[] => {
  const before = contentsOf(project.contractsDir);
  const { command, args } = entryCommand(import.meta.url, './record-snapshots');
  const result = spawnSync(command, args, { cwd: project.root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
  if (result.status !== 0) {
    applyChanges(changesSince(project.contractsDir, before).map(({ path, before: was, after }) => ({ path, before: after, after: was })));
    const reason = (result.stderr || result.stdout || '').trim().split('\n').at(-1)?.replace(/^seam: /, '') ?? '';
    throw new CliFailure(`recording its snapshots failed (${reason || `exit ${result.status ?? result.signal}`})`);
  }
  return changesSince(project.contractsDir, before);
};
