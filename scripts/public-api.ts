/**
 * @module Public API snapshots (`seam api check|snapshot`): the OpenAPI document the gateway
 * serves at /api/v<major>/openapi.json for the application's edge, compared with its committed
 * snapshot `<dir>/public-api.v<major>.openapi.json`.
 *
 * A check fails on a change that breaks a client (public-api/compare.ts) or a major with no
 * snapshot yet; additive changes pass with a reminder, or fail with `strict`. A snapshot
 * refuses to record breaking changes unless forced. A breaking change needs a new major
 * (publicApiVersion in src/gateway/openapi/document.ts, which moves the API to /api/v<major>):
 * it gets a snapshot of its own, and older majors' snapshots stay, no longer compared.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Application } from '../src/host/application.js';
import { createGateway } from '../src/gateway/app.js';
import { publicApiBase } from '../src/gateway/openapi/document.js';
import { accessTokens } from '../src/kernel/access-token.js';
import type { AnyContract, ContractApi } from '../src/kernel/contract.js';
import { createLogger } from '../src/kernel/logger.js';
import { CliFailure } from './cli/cli-errors.js';
import { shown, type Project } from './cli/project.js';
import { jsonEqual } from './contract-diff/index.js';
import { compareApis, majorOf, type ApiDocument } from './public-api/compare.js';
import type { CheckOptions, SnapshotOptions, SnapshotReport } from './snapshot-command.js';

/** A contract API whose every method refuses: describing the API calls none. */
const uncallable = <C extends AnyContract>(contract: C): ContractApi<C> =>
  new Proxy({} as ContractApi<C>, {
    get: (_target, method) => () => Promise.reject(new Error(`${contract.id} ${String(method)} is not callable while describing the API`)),
  });

/** The document GET /api/v<major>/openapi.json answers for `application`, made without a database or any module running. */
export const servedApiDocument = async (application: Application): Promise<ApiDocument> => {
  const gateway = createGateway({
    publicEdge: application.edge,
    logger: createLogger({ level: 'silent' }),
    bodyLimitBytes: 1_000_000,
    readiness: async () => ({ ready: true, checks: {} }),
    contracts: [],
    resolve: uncallable,
    // Never used to sign or verify anything here; createGateway only needs one.
    tokens: accessTokens('describing-the-api-only-0123456789abcdef', 60),
  });
  const response = await gateway.request(`${publicApiBase}/openapi.json`);
  if (response.status !== 200) throw new Error(`GET ${publicApiBase}/openapi.json answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ApiDocument;
};

interface ApiComparison {
  readonly major: number;
  readonly path: string;
  readonly text: string;
  readonly paths: number;
  readonly snapshot: ApiDocument | undefined;
  readonly breaking: readonly string[];
  readonly additive: readonly string[];
  /** The snapshot differs from the served document in any way. */
  readonly unrecorded: boolean;
  /** Snapshots of other majors, kept and no longer compared. */
  readonly older: readonly string[];
}

const snapshotName = /^public-api\.v([1-9][0-9]*)\.openapi\.json$/;

const compareApiSnapshot = async (project: Project, application: Application, dir: string): Promise<ApiComparison> => {
  const current = await servedApiDocument(application);
  const major = majorOf(current);
  const path = join(dir, `public-api.v${major}.openapi.json`);
  const text = `${JSON.stringify(current, null, 2)}\n`;
  let snapshot: ApiDocument | undefined;
  if (existsSync(path)) {
    try {
      snapshot = JSON.parse(readFileSync(path, 'utf8')) as ApiDocument;
    } catch (error) {
      throw new CliFailure(`${shown(project, path)} is not valid JSON (${error instanceof Error ? error.message : String(error)}): restore it from git, or delete it and run npx seam api snapshot`);
    }
    if (typeof snapshot.paths !== 'object' || majorOf(snapshot) !== major) throw new CliFailure(`${shown(project, path)} is not a snapshot of the public API v${major}: restore it from git, or delete it and run npx seam api snapshot`);
  }
  const { breaking, additive } = snapshot ? compareApis(snapshot, current) : { breaking: [], additive: [] };
  const older = existsSync(dir) ? readdirSync(dir).filter((file) => Number(snapshotName.exec(file)?.[1] ?? major) !== major) : [];
  return { major, path, text, paths: Object.keys(current.paths).length, snapshot, breaking, additive, unrecorded: snapshot !== undefined && !jsonEqual(snapshot, JSON.parse(text)), older };
};

const breakingLines = (comparison: ApiComparison): string[] => [
  `Breaking changes to the public API v${comparison.major} (${comparison.breaking.length}):`,
  ...comparison.breaking.map((message) => `  ${message}`),
];

const publishAsNewMajor = 'keep the API compatible, or publish the change as a new major (publicApiVersion in src/gateway/openapi/document.ts) and record it with npx seam api snapshot';

export const checkApi = async (project: Project, application: Application, options: CheckOptions): Promise<SnapshotReport> => {
  const comparison = await compareApiSnapshot(project, application, options.dir);
  const out: string[] = [];
  const err: string[] = [];
  const fixes: string[] = [];
  if (comparison.breaking.length > 0) {
    err.push(...breakingLines(comparison));
    fixes.push(publishAsNewMajor);
  }
  if (comparison.snapshot === undefined) fixes.push(`no snapshot of the public API v${comparison.major} in ${shown(project, options.dir)}: run npx seam api snapshot and commit it`);
  if (comparison.breaking.length === 0 && comparison.unrecorded) {
    const lines = ['additive changes to the public API:', ...(comparison.additive.length > 0 ? comparison.additive : ['descriptions, examples or other annotations changed']).map((message) => `  ${message}`)];
    if (options.strict) {
      err.push(...lines);
      fixes.push('record the additive changes with npx seam api snapshot');
    } else out.push(...lines, 'run npx seam api snapshot to record them');
  }
  out.push(...comparison.older.map((file) => `kept snapshot ${file} (another major, no longer compared)`));
  if (fixes.length > 0) return { out, err, failure: fixes.join('; ') };
  out.push(`public API v${comparison.major}: ${comparison.paths} paths checked against ${shown(project, comparison.path)}, no breaking changes`);
  return { out, err };
};

export const snapshotApi = async (project: Project, application: Application, options: SnapshotOptions): Promise<SnapshotReport> => {
  const comparison = await compareApiSnapshot(project, application, options.dir);
  if (comparison.breaking.length > 0 && !options.force) {
    return { out: [], err: [...breakingLines(comparison), 'Refusing to write the snapshot.'], failure: `${publishAsNewMajor}; or pass --force to record the breaking changes anyway` };
  }
  const err = comparison.breaking.map((message) => `recording a breaking change because of --force: ${message}`);
  mkdirSync(options.dir, { recursive: true });
  const { path, text } = comparison;
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return { out: [`${shown(project, path)} is up to date`], err };
  writeFileSync(path, text);
  return { out: [`wrote ${shown(project, path)}`], err };
};

