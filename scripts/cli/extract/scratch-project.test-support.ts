/**
 * @module A throwaway project for the extract and topology tests: a copy of the repository's
 * deploy/ tree and a package.json whose `seam.application` is the shop's, so the CLI (run in
 * process or as a `seam` process in that folder, from the test build) works on the copy and never on the repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findProject, type Project } from '../project.js';
import { seam, type Ending } from '../seam-process.test-support.js';

export const repositoryRoot = join(import.meta.dirname, '..', '..', '..');

export interface ScratchProject {
  readonly root: string;
  readonly project: Project;
  /** An absolute path inside the copy. */
  at(path: string): string;
  /** Every file under deploy/ with its text, by path relative to the project. */
  snapshot(): Map<string, string>;
  /** `seam ...args` run in the copy, as a user runs it. */
  seam(args: readonly string[]): Promise<Ending>;
  remove(): void;
}

export const scratchProject = (): ScratchProject => {
  const root = mkdtempSync(join(tmpdir(), 'seam-extract-'));
  cpSync(join(repositoryRoot, 'deploy'), join(root, 'deploy'), { recursive: true });
  symlinkSync(join(repositoryRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  const pkg = { name: 'scratch', private: true, type: 'module', seam: { application: join(repositoryRoot, 'src', 'application.ts') } };
  writeFileSync(join(root, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const at = (path: string): string => join(root, path);
  return {
    root,
    project: findProject(root),
    at,
    snapshot: () =>
      new Map(
        readdirSync(at('deploy'), { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => {
            const path = join(entry.parentPath, entry.name);
            return [relative(root, path), readFileSync(path, 'utf8')] as const;
          })
          .sort(([one], [other]) => one.localeCompare(other)),
      ),
    seam: (args) => seam(args, {}, root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
};

/** True when `kubectl` can be run; the kustomize checks are skipped without it, as test/deploy's are. */
export const kubectlAvailable = (): boolean => !spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).error;

/** `kubectl kustomize dir`, parsed: what `kubectl apply -k` would send. */
export const kustomize = <T>(dir: string): T[] =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map((document) => document.toJS() as T);
