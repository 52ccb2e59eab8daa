/**
 * @module Plans moving a module into a service of its own (extract) and back (merge), as file
 * changes: the topology, and every deployment beside it that runs it (compose, kustomize).
 * Nothing is written here; the command shows the changes (--dry-run) or applies them.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Application } from '../../../src/host/application.js';
import { isModuleName } from '../../../src/kernel/module.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import type { FileChange } from '../file-changes.js';
import { shown, type Project } from '../project.js';
import type { DeploymentEditor } from './deployment-editor.js';
import { deploymentsOf } from './deployments.js';
import { TopologyFile, type PlacedService } from './topology-file.js';
import { YamlFiles } from './yaml-files.js';

export interface ExtractionOptions {
  readonly module: string;
  readonly topologyFile: string;
  readonly replicas: number;
  /**
   * Write the changed topology here instead of over `topologyFile`, and leave the deployments
   * beside `topologyFile` alone (extracting from the monolith: its deployment runs one process).
   */
  readonly writeTo?: string | undefined;
}

export interface MergeOptions {
  readonly module: string;
  readonly topologyFile: string;
  /** The service to put the module into; by default the one it was extracted from, or else the gateway. */
  readonly into?: string | undefined;
}

/** What a plan did, for the command to report. */
export interface MovePlan {
  readonly module: string;
  /** The service of its own: added by extract, removed by merge. */
  readonly service: string;
  /** Extract: the service the module left (none for a module no service ran yet). Merge: the service it joined. */
  readonly other: string | undefined;
  /** The compose files and kustomize trees edited besides the topology, as the user reads them. */
  readonly deployments: readonly string[];
  /** What the operator should look at by hand. */
  readonly notes: readonly string[];
  readonly changes: FileChange[];
}

/** A usage error unless `module` can be a module's name at all: checked before anything is read. */
export const assertModuleName = (module: string): void => {
  if (!isModuleName(module)) throw new UsageError(`"${module}" is not a module name: lower-case letters, digits and "_", starting with a letter`);
};

const checkModule = (application: Application, module: string): string[] => {
  const known = application.modules.map((candidate) => candidate.name);
  assertModuleName(module);
  if (!known.includes(module)) throw new UsageError(`unknown module "${module}" (${application.name} has ${known.join(', ')})`);
  return known;
};

const openTopology = (project: Project, path: string, files: YamlFiles): TopologyFile => {
  if (!existsSync(path)) throw new UsageError(`${shown(project, path)} does not exist: pass the topology file with --from`);
  return new TopologyFile(files, path);
};

const settingsPrefixes = (application: Application): Map<string, string> =>
  new Map(application.modules.flatMap((module) => (module.settings ? [[module.name, module.settings.prefix] as const] : [])));

/** What the deployments leave to the operator; two compose files sharing one scrape file say the same once. */
const notesOf = (editors: readonly DeploymentEditor[]): string[] => [...new Set(editors.flatMap((editor) => editor.notes()))];

/** The service a module of its own runs in: named after it, "_" as "-" (a DNS label). */
export const serviceNameOf = (module: string): string => module.replaceAll('_', '-');

export const extractionPlan = (project: Project, application: Application, options: ExtractionOptions): MovePlan => {
  const known = checkModule(application, options.module);
  const { module, replicas } = options;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 100) throw new UsageError(`--replicas must be a whole number from 1 to 100, not ${replicas}`);
  const files = new YamlFiles((path) => shown(project, path));
  const topology = openTopology(project, options.topologyFile, files);
  const topologyShown = shown(project, options.topologyFile);
  const source = topology.services().find((service) => service.modules.includes(module));
  // A module no service runs yet (one just generated) is placed, not moved.
  topology.check(source ? known : known.filter((name) => name !== module));
  if (source && source.modules.length === 1 && !source.gateway) throw new UsageError(`${module} already runs alone in service "${source.name}" of ${topologyShown}`);
  const service = serviceNameOf(module);
  if (service.length > 40) throw new CliFailure(`service name "${service}" is longer than 40 characters: a DNS label cannot be`);
  const clash = topology.service(service);
  if (clash) throw new CliFailure(`${topologyShown} already has a service "${service}" (running ${clash.modules.join(', ') || 'no module'}): rename it first`);
  const prefixes = settingsPrefixes(application);
  const editors = options.writeTo === undefined ? deploymentsOf({ files, projectRoot: project.root, topology, settingsPrefixes: prefixes }) : [];

  if (source) topology.removeModule(source.name, module);
  topology.addService(service, module, replicas, source?.name);
  topology.check(known);
  const prefix = prefixes.get(module);
  for (const editor of editors) {
    editor.addService({ name: service, module, replicas, topologyShown, settings: source && prefix ? { from: source.name, prefix } : undefined });
    if (source && topology.service(source.name)?.modules.length === 0) editor.removeRole(source.name);
  }
  const notes = [
    ...(source && topology.service(source.name)?.modules.length === 0 && editors.length > 0 ? [`"${source.name}" runs no module now and lost its database role: comments in its files may still speak of one`] : []),
    ...notesOf(editors),
  ];
  const changes = options.writeTo === undefined ? files.changes() : files.changes().map((change) => (change.path === options.topologyFile ? writtenTo(options.writeTo as string, change, headerOf(project, options)) : change));
  return { module, service, other: source?.name, deployments: editors.map((editor) => editor.shown), notes, changes };
};

/** What a topology written to a file of its own says first, instead of the source's opening comment. */
const headerOf = (project: Project, options: ExtractionOptions): string[] => [
  `# ${options.module} in a service of its own; everything else as in ${shown(project, options.topologyFile)}.`,
  `# Written by \`seam extract ${options.module}\`; on this machine: npx seam split --topology ${shown(project, options.writeTo ?? options.topologyFile)}`,
  `# Undo: npx seam extract --undo ${options.module}`,
];

/** `change` (of the source topology) as the creation or rewrite of `path` instead, opening with `header`. */
const writtenTo = (path: string, change: FileChange, header: readonly string[]): FileChange => {
  const body = (change.after ?? '').split('\n');
  const firstLine = body.findIndex((line) => !line.startsWith('#'));
  return { path, before: existsSync(path) ? readFileSync(path, 'utf8') : undefined, after: [...header, ...body.slice(Math.max(firstLine, 0))].join('\n') };
};

export const mergePlan = (project: Project, application: Application, options: MergeOptions): MovePlan => {
  const known = checkModule(application, options.module);
  const { module } = options;
  const files = new YamlFiles((path) => shown(project, path));
  const topology = openTopology(project, options.topologyFile, files);
  const topologyShown = shown(project, options.topologyFile);
  topology.check(known);
  // The check above placed every module exactly once.
  const own = topology.services().find((service) => service.modules.includes(module)) as PlacedService;
  if (own.modules.length !== 1 || own.gateway) {
    throw new UsageError(`${module} does not run in a service of its own in ${topologyShown} (service "${own.name}" runs ${own.modules.join(', ')}${own.gateway ? ' and the gateway' : ''}): nothing to merge`);
  }
  const into = options.into ?? defaultTarget(topology, own.name, topologyShown);
  const target = topology.service(into);
  if (!target) throw new UsageError(`${topologyShown} has no service "${into}" (it has ${topology.services().map((service) => service.name).join(', ')})`);
  if (into === own.name) throw new UsageError(`${module} already runs in "${into}": name another service with --into`);
  const prefixes = settingsPrefixes(application);
  const editors = deploymentsOf({ files, projectRoot: project.root, topology, settingsPrefixes: prefixes });

  const targetHadModules = target.modules.length > 0;
  topology.removeService(own.name);
  topology.addModule(into, module, known);
  topology.check(known);
  const prefix = prefixes.get(module);
  for (const editor of editors) {
    if (!targetHadModules) editor.addRole(into);
    if (prefix) editor.copySettings(own.name, into, prefix);
    editor.removeService(own.name);
  }
  const notes = [
    ...(!targetHadModules && editors.length > 0 ? [`"${into}" ran no module before and has a database role now: comments in its files may still say it has no database`] : []),
    ...notesOf(editors),
  ];
  return { module, service: own.name, other: into, deployments: editors.map((editor) => editor.shown), notes, changes: files.changes() };
};

/** Where a merged module goes without --into: the service it was extracted from, if the topology recorded one that still exists; else the gateway. */
const defaultTarget = (topology: TopologyFile, service: string, topologyShown: string): string => {
  const origin = topology.originOf(service);
  if (origin !== undefined && topology.service(origin)) return origin;
  const gateways = topology.services().filter((candidate) => candidate.gateway);
  if (gateways.length !== 1 || !gateways[0]) throw new UsageError(`${topologyShown} has ${gateways.length} gateways: say which service takes the module with --into`);
  return gateways[0].name;
};

/** The file changes that give `options.module` a service of its own. */
export const planExtraction = (project: Project, application: Application, options: ExtractionOptions): FileChange[] =>
  extractionPlan(project, application, options).changes;

/** The file changes that put `options.module` back into another service. */
export const planMerge = (project: Project, application: Application, options: { readonly module: string; readonly topologyFile: string }): FileChange[] =>
  mergePlan(project, application, options).changes;
