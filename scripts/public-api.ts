/**
 * @module Public API snapshots: `npm run check:api` and `npm run api:snapshot`.
 *
 * The OpenAPI document the gateway serves at /api/v1/openapi.json is compared with its
 * committed snapshot, `contracts/public-api.v<major>.openapi.json`:
 *
 *   tsx scripts/public-api.ts check [--dir <path>] [--strict]
 *     exit 1 listing every change that breaks a client (see public-api/compare.ts), or when
 *     the major has no snapshot yet. Additive changes pass with a reminder to record them;
 *     `--strict` fails on them too.
 *   tsx scripts/public-api.ts snapshot [--dir <path>] [--force]
 *     writes the snapshot; refuses while there are breaking changes unless `--force`.
 *
 * A breaking change needs a new major (publicApiVersion in src/gateway/openapi/document.ts,
 * which moves the API to /api/v<major>): it gets a snapshot of its own, and older majors'
 * snapshots stay, no longer compared.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEqual } from './contract-diff/index.js';
import { compareApis, majorOf, type ApiDocument } from './public-api/compare.js';
import { servedApiDocument } from './public-api/document.js';
import { display, fail, snapshotCommand } from './snapshot-command.js';

const { command, dir, force, strict } = snapshotCommand('scripts/public-api.ts');
const snapshotName = /^public-api\.v([1-9][0-9]*)\.openapi\.json$/;

const current = await servedApiDocument();
const major = majorOf(current);
const path = join(dir, `public-api.v${major}.openapi.json`);
const text = `${JSON.stringify(current, null, 2)}\n`;

let snapshot: ApiDocument | undefined;
if (existsSync(path)) {
  try {
    snapshot = JSON.parse(readFileSync(path, 'utf8')) as ApiDocument;
  } catch (error) {
    fail(`${display(path)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  if (typeof snapshot.paths !== 'object' || majorOf(snapshot) !== major) fail(`${display(path)} is not a snapshot of the public API v${major}`, 1);
}
const { breaking, additive } = snapshot ? compareApis(snapshot, current) : { breaking: [], additive: [] };
const unrecorded = snapshot !== undefined && !jsonEqual(snapshot, JSON.parse(text));
const older = existsSync(dir)
  ? readdirSync(dir).filter((file) => Number(snapshotName.exec(file)?.[1] ?? major) !== major)
  : [];

const printBreaking = (): void => {
  console.error(`Breaking changes to the public API v${major} (${breaking.length}):`);
  for (const message of breaking) console.error(`  ${message}`);
  console.error(
    `Keep the API compatible, or publish the change as a new major (publicApiVersion in src/gateway/openapi/document.ts) and record it with npm run api:snapshot.`,
  );
};

if (command === 'check') {
  let failed = false;
  if (breaking.length > 0) {
    printBreaking();
    failed = true;
  }
  if (snapshot === undefined) {
    console.error(`No snapshot of the public API v${major} in ${display(dir)}: run npm run api:snapshot and commit it.`);
    failed = true;
  }
  if (breaking.length === 0 && unrecorded) {
    const out = strict ? console.error : console.log;
    out('additive changes to the public API:');
    for (const message of additive.length > 0 ? additive : ['descriptions, examples or other annotations changed']) out(`  ${message}`);
    out('run npm run api:snapshot to record them');
    if (strict) failed = true;
  }
  for (const file of older) console.log(`kept snapshot ${file} (another major, no longer compared)`);
  if (failed) process.exit(1);
  console.log(`public API v${major}: ${Object.keys(current.paths).length} paths checked against ${display(path)}, no breaking changes`);
} else {
  if (breaking.length > 0 && !force) {
    printBreaking();
    console.error('Refusing to write the snapshot; pass --force to record the breaking changes anyway.');
    process.exit(1);
  }
  for (const message of breaking) console.error(`recording a breaking change because of --force: ${message}`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
    writeFileSync(path, text);
    console.log(`wrote ${display(path)}`);
  } else console.log(`${display(path)} is up to date`);
}
