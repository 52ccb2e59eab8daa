/**
 * @module Where a new module runs, in every topology under the project's deploy folder: with
 * the other modules when the gateway's service runs modules (the monolith, or a monolith with
 * some modules extracted), as a service of its own when it runs none (a split). A project
 * without topology files runs the built-in monolith, which takes every module: nothing to do.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import type { Application } from '../../../src/host/application.js';
import { CliFailure } from '../cli-errors.js';
import { extractionPlan } from '../extract/plan.js';
import type { FileChange } from '../file-changes.js';
import { shown, type Project } from '../project.js';

const topologyKeys = new Set(['modules', 'gateway', 'replicas']);

/** YAML files under `dir`, at any depth, in a stable order. */
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();

/** The services of a topology file (only `services`, each with only topology keys); undefined for any other YAML. */
const servicesOf = (text: string): YAMLMap | undefined => {
  const document = parseDocument(text);
  if (document.errors.length > 0 || !isMap(document.contents)) return undefined;
  const root = document.contents;
  if (root.items.length !== 1 || !isScalar(root.items[0]?.key) || root.items[0].key.value !== 'services') return undefined;
  const services = root.items[0].value;
  if (!isMap(services)) return undefined;
  const topologyShaped = services.items.every(
    (service) => isMap(service.value) && service.value.items.every((field) => isScalar(field.key) && topologyKeys.has(String(field.key.value))),
  );
  return topologyShaped ? services : undefined;
};

/** The module names a service's `modules` list holds. */
const modulesOf = (service: unknown): string[] => {
  const modules = isMap(service) ? service.get('modules', true) : undefined;
  return isSeq(modules) ? modules.items.flatMap((item) => (isScalar(item) ? [String(item.value)] : [])) : [];
};

/** The topology files under the project's deploy folder. */
export const topologyFiles = (project: Project): string[] =>
  existsSync(project.deployDir) ? yamlFiles(project.deployDir).filter((file) => servicesOf(readFileSync(file, 'utf8')) !== undefined) : [];

/** The service a new module joins: the gateway's, when it runs modules; undefined in a split. */
const joinedService = (services: YAMLMap): { name: string; node: YAMLMap } | undefined => {
  for (const service of services.items) {
    if (!isMap(service.value) || !isScalar(service.key)) continue;
    if (service.value.get('gateway') === true && modulesOf(service.value).length > 0) return { name: String(service.key.value), node: service.value };
  }
  return undefined;
};

/** `text` with `module` appended to the `modules` list of `service`, keeping the list's style and every comment. */
const withModuleAdded = (text: string, service: YAMLMap, module: string): string => {
  const modules = service.get('modules', true);
  if (!isSeq(modules) || !modules.range) throw new Error('a service that runs modules has a modules list');
  const last = modules.items.at(-1);
  const lastEnd = isScalar(last) && last.range ? last.range[1] : undefined;
  if (lastEnd === undefined) throw new Error('a modules list holds names');
  if (modules.flow) return `${text.slice(0, lastEnd)}, ${module}${text.slice(lastEnd)}`;
  const itemLine = text.lastIndexOf('\n', lastEnd) + 1;
  const indent = /^[ \t]*/.exec(text.slice(itemLine))?.[0] ?? '';
  const lineEnd = text.indexOf('\n', lastEnd);
  const at = lineEnd < 0 ? text.length : lineEnd;
  return `${text.slice(0, at)}\n${indent}- ${module}${text.slice(at)}`;
};

/** The name of the service of topology `text` that runs `module`. */
const serviceRunning = (text: string, module: string): string | undefined => {
  const running = servicesOf(text)?.items.find((service) => modulesOf(service.value).includes(module));
  return running && isScalar(running.key) ? String(running.key.value) : undefined;
};

export interface Placement {
  readonly topologyFile: string;
  /** One line for the user: where the module went. */
  readonly summary: string;
  /** What its deployments leave to the user, e.g. a scrape configuration of their own to extend by hand. */
  readonly notes: readonly string[];
  readonly changes: FileChange[];
}

/**
 * Places `module` in the topology `file`. `application` must already hold the module: the
 * extraction reads its contract and its declarations from there.
 */
export const placeModule = (project: Project, application: Application, module: string, file: string): Placement => {
  const text = readFileSync(file, 'utf8');
  const services = servicesOf(text);
  if (!services) throw new CliFailure(`${shown(project, file)} stopped being a topology file while ${module} was placed`);
  const joined = joinedService(services);
  if (joined) {
    return {
      topologyFile: file,
      summary: `${shown(project, file)}: ${module} runs in service "${joined.name}"`,
      notes: [],
      changes: [{ path: file, before: text, after: withModuleAdded(text, joined.node, module) }],
    };
  }
  const { changes, notes } = extractionPlan(project, application, { module, topologyFile: file, replicas: 1 });
  if (changes.length === 0) throw new CliFailure(`seam extract planned no service for ${module} in ${shown(project, file)}`);
  const planned = changes.find((change) => change.path === file)?.after;
  const service = planned === undefined ? undefined : serviceRunning(planned, module);
  if (service === undefined) throw new CliFailure(`seam extract placed ${module} in no service of ${shown(project, file)}`);
  return { topologyFile: file, summary: `${shown(project, file)}: ${module} runs as service "${service}"`, notes, changes };
};
