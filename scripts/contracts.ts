/**
 * @module Contract snapshots (`seam contracts check|snapshot`): every contract the application's
 * modules provide, described as JSON Schema (`describeContract`), compared with its committed
 * snapshot `<dir>/<name>.v<major>.json`.
 *
 * A check fails on a breaking change (scripts/contract-diff/) or a contract with no snapshot
 * yet; additive changes pass with a reminder to record them, or fail with `strict` (an
 * unrecorded addition could later be removed unnoticed). A snapshot refuses to record breaking
 * changes unless forced. A new major version is a new contract with a snapshot of its own; the
 * old major's may stay, no longer compared. A snapshot whose contract no module provides in
 * any major is a removed contract: breaking.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Application } from '../src/host/application.js';
import { describeContract, type ContractDocument } from '../src/kernel/contract-schema.js';
import { CliFailure } from './cli/cli-errors.js';
import { shown, type Project } from './cli/project.js';
import { compareContracts, jsonEqual } from './contract-diff/index.js';
import type { CheckOptions, SnapshotOptions, SnapshotReport } from './snapshot-command.js';

/** The application's contracts against the snapshots in one directory. */
export interface ContractComparison {
  /** How many contracts the application provides. */
  readonly contracts: number;
  readonly breaking: readonly string[];
  readonly additive: readonly string[];
  /** Contract ids with no snapshot yet. */
  readonly missing: readonly string[];
  /** Contract ids whose snapshot differs from the code in any way. */
  readonly unrecorded: readonly string[];
  /** Snapshots of other majors, kept and no longer compared. */
  readonly kept: readonly string[];
  /** The snapshot files a `snapshot` would write. */
  readonly toWrite: readonly { readonly path: string; readonly text: string }[];
}

const fileName = (name: string, version: number): string => `${name}.v${version}.json`;
const serialize = (document: ContractDocument): string => `${JSON.stringify(document, null, 2)}\n`;
const snapshotFile = /^([a-z][a-z0-9-]*)\.v([1-9][0-9]*)\.json$/;

const readSnapshot = (project: Project, path: string, id: string, document: ContractDocument): ContractDocument => {
  let snapshot: ContractDocument;
  try {
    snapshot = JSON.parse(readFileSync(path, 'utf8')) as ContractDocument;
  } catch (error) {
    throw new CliFailure(`${shown(project, path)} is not valid JSON (${error instanceof Error ? error.message : String(error)}): restore it from git, or delete it and run npx seam contracts snapshot`);
  }
  if (snapshot.name !== document.name || snapshot.version !== document.version || typeof snapshot.methods !== 'object' || typeof snapshot.events !== 'object') {
    throw new CliFailure(`${shown(project, path)} is not a snapshot of ${id}: restore it from git, or delete it and run npx seam contracts snapshot`);
  }
  return snapshot;
};

/** Compares every contract `application` provides with its snapshot in `dir`. */
export const compareContractSnapshots = (project: Project, application: Application, dir: string): ContractComparison => {
  const current = new Map<string, ContractDocument>();
  for (const module of application.modules) {
    const contract = module.provides;
    if (current.has(contract.id)) throw new CliFailure(`contract ${contract.id} is provided by two modules: give one of them a contract of its own`);
    current.set(contract.id, describeContract(contract));
  }
  const breaking: string[] = [];
  const additive: string[] = [];
  const missing: string[] = [];
  const unrecorded: string[] = [];
  const toWrite: { path: string; text: string }[] = [];
  for (const [id, document] of current) {
    const path = join(dir, fileName(document.name, document.version));
    const text = serialize(document);
    if (!existsSync(path)) {
      missing.push(id);
      toWrite.push({ path, text });
      continue;
    }
    const snapshot = readSnapshot(project, path, id, document);
    const changes = compareContracts(snapshot, document);
    breaking.push(...changes.breaking);
    additive.push(...changes.additive);
    if (!jsonEqual(snapshot, JSON.parse(text))) {
      unrecorded.push(id);
      // Differences the comparison has nothing to say about (descriptions, say) are still worth recording.
      if (changes.breaking.length === 0 && changes.additive.length === 0) additive.push(`${id}: descriptions or other annotations changed`);
    }
    if (readFileSync(path, 'utf8') !== text) toWrite.push({ path, text });
  }
  const kept: string[] = [];
  if (existsSync(dir)) {
    const names = new Set([...current.values()].map((document) => document.name));
    for (const file of readdirSync(dir).sort()) {
      const [, name = '', major = ''] = snapshotFile.exec(file) ?? [];
      const id = `${name}/v${major}`;
      if (name === '' || current.has(id)) continue;
      if (names.has(name)) kept.push(`${id} (${file}: an older or other major, no longer compared)`);
      else breaking.push(`${id}: contract removed, no module provides ${name} in any major; delete ${shown(project, join(dir, file))} if that is intended`);
    }
  }
  return { contracts: current.size, breaking, additive, missing, unrecorded, kept, toWrite };
};

const breakingLines = (comparison: ContractComparison): string[] => [
  `Breaking contract changes without a major version bump (${comparison.breaking.length}):`,
  ...comparison.breaking.map((message) => `  ${message}`),
];

const publishAsNewMajor = 'keep the contracts compatible, or publish each breaking change as a new major version (defineContract(name, N + 1, ...)) and record it with npx seam contracts snapshot';

/** The check's report: breaking changes and missing snapshots fail it; additive ones only with `strict`. */
export const checkContracts = async (project: Project, application: Application, options: CheckOptions): Promise<SnapshotReport> => {
  const comparison = compareContractSnapshots(project, application, options.dir);
  const { breaking, missing, unrecorded, additive, kept } = comparison;
  const out: string[] = [];
  const err: string[] = [];
  const fixes: string[] = [];
  if (breaking.length > 0) {
    err.push(...breakingLines(comparison));
    fixes.push(publishAsNewMajor);
  }
  if (missing.length > 0) fixes.push(`no snapshot yet for ${missing.join(', ')} in ${shown(project, options.dir)}: run npx seam contracts snapshot and commit it`);
  if (breaking.length === 0 && unrecorded.length > 0) {
    const lines = [`additive changes (${unrecorded.join(', ')}):`, ...additive.map((message) => `  ${message}`)];
    if (options.strict) {
      err.push(...lines);
      fixes.push('record the additive changes with npx seam contracts snapshot');
    } else out.push(...lines, 'run npx seam contracts snapshot to record them');
  }
  out.push(...kept.map((line) => `kept snapshot ${line}`));
  if (fixes.length > 0) return { out, err, failure: fixes.join('; ') };
  out.push(`contracts: ${comparison.contracts} checked against ${shown(project, options.dir)}, no breaking changes`);
  return { out, err };
};

/** Writes the snapshots that differ from the code; refuses while there are breaking changes unless `force`. */
export const snapshotContracts = async (project: Project, application: Application, options: SnapshotOptions): Promise<SnapshotReport> => {
  const comparison = compareContractSnapshots(project, application, options.dir);
  if (comparison.breaking.length > 0 && !options.force) {
    return { out: [], err: [...breakingLines(comparison), 'Refusing to write snapshots.'], failure: `${publishAsNewMajor}; or pass --force to record the breaking changes anyway` };
  }
  const err = comparison.breaking.length > 0 ? [`Recording ${comparison.breaking.length} breaking change(s) because of --force:`, ...comparison.breaking.map((message) => `  ${message}`)] : [];
  mkdirSync(options.dir, { recursive: true });
  const out: string[] = [];
  for (const { path, text } of comparison.toWrite) {
    writeFileSync(path, text);
    out.push(`wrote ${shown(project, path)}`);
  }
  out.push(...comparison.kept.map((line) => `kept snapshot ${line}`));
  out.push(`contracts: ${comparison.contracts} snapshots in ${shown(project, options.dir)}, ${comparison.toWrite.length} written`);
  return { out, err };
};

