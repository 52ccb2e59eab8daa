/**
 * @module The command both snapshot kinds share, `seam contracts` and `seam api`:
 * `check [--dir <path>] [--strict]` and `snapshot [--dir <path>] [--force]`, and the report
 * each of their functions returns for the command line to print.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Application } from '../src/host/application.js';
import { CliFailure } from './cli/cli-errors.js';
import { findProject, loadApplication, type Project } from './cli/project.js';

/** What a check or a snapshot found, as lines for the terminal; `failure` (one line: what to do) makes it fail. */
export interface SnapshotReport {
  readonly out: readonly string[];
  readonly err: readonly string[];
  readonly failure?: string;
}

export interface CheckOptions {
  /** Where the snapshots live: the project's contracts directory unless `--dir` says otherwise. */
  readonly dir: string;
  /** Fail on additive changes not yet recorded too. */
  readonly strict: boolean;
}

export interface SnapshotOptions {
  readonly dir: string;
  /** Record breaking changes too. */
  readonly force: boolean;
}

/** How one kind of snapshot is checked and recorded. */
export interface SnapshotWork {
  check(project: Project, application: Application, options: CheckOptions): Promise<SnapshotReport>;
  snapshot(project: Project, application: Application, options: SnapshotOptions): Promise<SnapshotReport>;
}

/** One kind of snapshot: its command, and its work, loaded when a command runs (it imports what describing the application takes). */
export interface SnapshotKind {
  readonly name: string;
  readonly description: string;
  readonly example: string;
  load(): Promise<SnapshotWork>;
}

/** Prints `report`; throws its failure, if any, for main to end with. */
export const printReport = (report: SnapshotReport): void => {
  for (const line of report.out) console.log(line);
  for (const line of report.err) console.error(line);
  if (report.failure !== undefined) throw new CliFailure(report.failure);
};

/** `seam <kind> check|snapshot`, each with the project's application loaded. */
export const snapshotCommand = (kind: SnapshotKind): Command => {
  const command = new Command(kind.name).description(kind.description).addHelpText('after', `\nExample:\n  $ seam ${kind.name} check\n  ${kind.example}`);
  const run = async (work: (loaded: SnapshotWork, project: Project, application: Application) => Promise<SnapshotReport>): Promise<void> => {
    const project = findProject();
    const loaded = await kind.load();
    printReport(await work(loaded, project, await loadApplication(project)));
  };
  command
    .command('check')
    .description('compare with the committed snapshots: fails on a breaking change or a missing snapshot')
    .option('--dir <path>', 'where the snapshots are (default: the project\'s contracts folder)')
    .option('--strict', 'fail on additive changes not recorded yet too', false)
    .addHelpText('after', `\nExample:\n  $ seam ${kind.name} check --strict`)
    .action((options: { dir?: string; strict: boolean }) =>
      run((loaded, project, application) => loaded.check(project, application, { dir: resolve(options.dir ?? project.contractsDir), strict: options.strict })),
    );
  command
    .command('snapshot')
    .description('record the current snapshots; refuses while there are breaking changes unless --force')
    .option('--dir <path>', 'where the snapshots are (default: the project\'s contracts folder)')
    .option('--force', 'record breaking changes too', false)
    .addHelpText('after', `\nExample:\n  $ seam ${kind.name} snapshot`)
    .action((options: { dir?: string; force: boolean }) =>
      run((loaded, project, application) => loaded.snapshot(project, application, { dir: resolve(options.dir ?? project.contractsDir), force: options.force })),
    );
  return command;
};
