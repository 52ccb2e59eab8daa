/**
 * @module Contract snapshots: `npm run check:contracts` and `npm run contracts:snapshot`.
 *
 * Every contract a module provides is described as JSON Schema (`describeContract`) and
 * compared with its committed snapshot, `contracts/<name>.v<major>.json`:
 *
 *   tsx scripts/contracts.ts check [--dir <path>] [--strict]
 *     exit 1 listing every breaking change (see scripts/contract-diff/), or when a
 *     contract has no snapshot yet. Additive changes pass, with a reminder to record them;
 *     `--strict` fails on them too (an unrecorded addition could later be removed unnoticed).
 *   tsx scripts/contracts.ts snapshot [--dir <path>] [--force]
 *     writes the snapshots; refuses while there are breaking changes unless `--force`.
 *
 * A new major version is a new contract: it gets its own snapshot, and the old major's
 * snapshot may stay (it is no longer compared). A snapshot whose contract no module provides
 * in any major is reported as a removed contract.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { application } from '../src/application.js';
import { describeContract, type ContractDocument } from '../src/kernel/contract-schema.js';
import { compareContracts, jsonEqual } from './contract-diff/index.js';
import { display, fail, snapshotCommand } from './snapshot-command.js';

const { command, dir, force, strict } = snapshotCommand('scripts/contracts.ts');
const fileName = (name: string, version: number): string => `${name}.v${version}.json`;
const serialize = (document: ContractDocument): string => `${JSON.stringify(document, null, 2)}\n`;
const snapshotFile = /^([a-z][a-z0-9-]*)\.v([1-9][0-9]*)\.json$/;

// The contracts this code serves, one document each.
const current = new Map<string, ContractDocument>();
for (const module of application.modules) {
  const contract = module.provides;
  if (current.has(contract.id)) fail(`contract ${contract.id} is provided by two modules`);
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
  let snapshot: ContractDocument;
  try {
    snapshot = JSON.parse(readFileSync(path, 'utf8')) as ContractDocument;
  } catch (error) {
    fail(`${display(path)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  if (snapshot.name !== document.name || snapshot.version !== document.version || typeof snapshot.methods !== 'object' || typeof snapshot.events !== 'object') {
    fail(`${display(path)} is not a snapshot of ${id}`, 1);
  }
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

// Snapshots of contracts this code no longer serves.
const kept: string[] = [];
if (existsSync(dir)) {
  const names = new Set([...current.values()].map((document) => document.name));
  for (const file of readdirSync(dir).sort()) {
    const match = snapshotFile.exec(file);
    if (match === null) continue;
    const [, name = '', major = ''] = match;
    const id = `${name}/v${major}`;
    if (current.has(id)) continue;
    if (names.has(name)) kept.push(`${id} (${file}: an older or other major, no longer compared)`);
    else breaking.push(`${id}: contract removed, no module provides ${name} in any major; delete ${display(join(dir, file))} if that is intended`);
  }
}

const printBreaking = (): void => {
  console.error(`Breaking contract changes without a major version bump (${breaking.length}):`);
  for (const message of breaking) console.error(`  ${message}`);
  console.error(
    'Keep the contract compatible, or publish the change as a new major version (defineContract(name, N + 1, ...)) and record it with npm run contracts:snapshot.',
  );
};

if (command === 'check') {
  let failed = false;
  if (breaking.length > 0) {
    printBreaking();
    failed = true;
  }
  if (missing.length > 0) {
    console.error(`No snapshot yet for ${missing.join(', ')} in ${display(dir)}: run npm run contracts:snapshot and commit it.`);
    failed = true;
  }
  if (breaking.length === 0 && unrecorded.length > 0) {
    const out = strict ? console.error : console.log;
    out(`additive changes (${unrecorded.join(', ')}):`);
    for (const message of additive) out(`  ${message}`);
    out('run npm run contracts:snapshot to record them');
    if (strict) failed = true;
  }
  for (const line of kept) console.log(`kept snapshot ${line}`);
  if (failed) process.exit(1);
  console.log(`contracts: ${current.size} checked against ${display(dir)}, no breaking changes`);
} else {
  if (breaking.length > 0 && !force) {
    printBreaking();
    console.error('Refusing to write snapshots; pass --force to record the breaking changes anyway.');
    process.exit(1);
  }
  if (breaking.length > 0) {
    console.error(`Recording ${breaking.length} breaking change(s) because of --force:`);
    for (const message of breaking) console.error(`  ${message}`);
  }
  mkdirSync(dir, { recursive: true });
  for (const { path, text } of toWrite) {
    writeFileSync(path, text);
    console.log(`wrote ${display(path)}`);
  }
  for (const line of kept) console.log(`kept snapshot ${line}`);
  console.log(`contracts: ${current.size} snapshots in ${display(dir)}, ${toWrite.length} written`);
}
