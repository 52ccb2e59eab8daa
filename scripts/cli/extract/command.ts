/**
 * @module `seam extract <module>` and `seam merge <module>` (also `seam extract --undo`):
 * commander wiring over plan.ts. Both write nothing with --dry-run, only print the diff.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../cli-errors.js';
import { applyChanges, diffOf } from '../file-changes.js';
import { findProject, loadApplication, shown, type Project } from '../project.js';
import { assertModuleName, extractionPlan, mergePlan, type MovePlan } from './plan.js';
import { extractionReport, mergeReport } from './report.js';

interface MoveOptions {
  readonly from?: string;
  readonly to?: string;
  readonly replicas: number;
  readonly dryRun?: boolean;
  readonly undo?: boolean;
  readonly into?: string;
}

const replicasOption = (value: string): number => {
  const replicas = Number(value);
  if (!/^\d+$/.test(value) || replicas < 1 || replicas > 100) throw new InvalidArgumentError('It must be a whole number from 1 to 100.');
  return replicas;
};

const monolithOf = (project: Project): string => join(project.deployDir, 'monolith', 'topology.yaml');

/** The topology `extract` writes from the monolith's: a file of its own, so the monolith's deployment keeps running as it is. */
const extractedFileOf = (project: Project, module: string): string => join(project.deployDir, `${module}-extracted.yaml`);

/** The topology to change: --from, else the monolith's (the deployment a project starts with), else the split's. */
const topologyOf = (project: Project, from: string | undefined): string => {
  if (from !== undefined) return resolve(from);
  const candidates = [monolithOf(project), join(project.deployDir, 'split', 'topology.yaml')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new UsageError(`neither ${candidates.map((candidate) => shown(project, candidate)).join(' nor ')} exists: say which topology to change with --from <file>`);
  return found;
};

/**
 * Where the changed topology goes: --to; from the monolith's topology, a new file (its
 * deployment runs one process without Redis, and must keep doing so); else over the source.
 */
const destinationOf = (project: Project, module: string, topologyFile: string, to: string | undefined): string | undefined => {
  if (to !== undefined) return resolve(to) === topologyFile ? undefined : resolve(to);
  return topologyFile === monolithOf(project) ? extractedFileOf(project, module) : undefined;
};

/** Applies or (with --dry-run) shows a plan, then prints its report. */
const finish = (project: Project, plan: MovePlan, dryRun: boolean, report: string[]): void => {
  if (dryRun) {
    console.log(diffOf(project.root, plan.changes));
    console.log(`\n(dry run: nothing written; ${plan.changes.length} file(s) would change)`);
    return;
  }
  applyChanges(plan.changes);
  for (const line of report) console.log(line);
};

/** Undoing an extraction from the monolith: the file it wrote goes, and the monolith's topology, never changed, runs the module again. */
const removeExtractedFile = (project: Project, module: string, dryRun: boolean): void => {
  const file = extractedFileOf(project, module);
  const change = { path: file, before: readFileSync(file, 'utf8'), after: undefined };
  finish(project, { module, service: module, other: undefined, deployments: [], notes: [], changes: [change] }, dryRun, [
    `removed ${shown(project, file)}: ${module} runs in the monolith again, as ${shown(project, monolithOf(project))} says (it never changed).`,
  ]);
};

const merge = async (module: string, options: MoveOptions): Promise<void> => {
  assertModuleName(module);
  const project = findProject();
  if (options.from === undefined && options.into === undefined && existsSync(extractedFileOf(project, module))) return removeExtractedFile(project, module, options.dryRun === true);
  const topologyFile = topologyOf(project, options.from);
  const plan = mergePlan(project, await loadApplication(project), { module, topologyFile, into: options.into });
  finish(project, plan, options.dryRun === true, mergeReport(project, plan, topologyFile));
};

const extract = async (module: string, options: MoveOptions): Promise<void> => {
  if (options.undo) return merge(module, options);
  if (options.into !== undefined) throw new UsageError('--into goes with --undo (or seam merge): extract puts the module in a service named after it');
  assertModuleName(module);
  const project = findProject();
  const topologyFile = topologyOf(project, options.from);
  const writeTo = destinationOf(project, module, topologyFile, options.to);
  const plan = extractionPlan(project, await loadApplication(project), { module, topologyFile, replicas: options.replicas, writeTo });
  finish(project, plan, options.dryRun === true, extractionReport(project, plan, writeTo ?? topologyFile, writeTo === undefined ? undefined : topologyFile));
};

export const extractCommand = (): Command =>
  new Command('extract')
    .description('move a module into a service of its own: the topology, its compose service and its Kubernetes resources (Deployment, headless Service, autoscaler, role secret)')
    .argument('<module>', 'the module to move out, e.g. inventory')
    .option('--from <topology>', 'the topology to start from (default: deploy/monolith/topology.yaml, else deploy/split/topology.yaml)')
    .option('--to <topology>', 'write the result here (default: from the monolith, deploy/<module>-extracted.yaml; else over --from)')
    .option('--replicas <n>', 'instances of the new service', replicasOption, 1)
    .option('--dry-run', 'print the diff, write nothing')
    .option('--undo', 'put the module back instead, as seam merge does')
    .option('--into <service>', 'with --undo: the service that takes the module back')
    .addHelpText('after', '\nExample:\n  $ seam extract inventory              # deploy/inventory-extracted.yaml: the monolith minus inventory, plus inventory\n  $ seam split --topology deploy/inventory-extracted.yaml\n  $ seam extract --undo inventory       # removes that file\n  $ seam extract orders --from deploy/examples/inventory-extracted.yaml --dry-run')
    .action(extract);

export const mergeCommand = (): Command =>
  new Command('merge')
    .description('put a module that runs in a service of its own back into another service, and remove what seam extract added for it')
    .argument('<module>', 'the module to put back, e.g. inventory')
    .option('--into <service>', 'the service that takes it (default: the one it was extracted from, else the gateway)')
    .option('--from <topology>', 'the topology file to change (default: the file seam extract wrote from the monolith, if any; else deploy/monolith/topology.yaml, else deploy/split/topology.yaml)')
    .option('--dry-run', 'print the diff, write nothing')
    .addHelpText('after', '\nExample:\n  $ seam merge inventory --dry-run\n  $ seam merge inventory --into shop --from deploy/examples/inventory-extracted.yaml')
    .action((module: string, options: Omit<MoveOptions, 'replicas'>) => merge(module, { ...options, replicas: 1 }));
