/**
 * @module What `seam doctor` checks, one function per check, each returning its verdict and,
 * on failure, the fix: Node against `engines`, the configuration, the topology, the database
 * and its pending migrations, Redis when the deployment needs it, and the contract snapshots.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Application } from '../../../src/host/application.js';
import { isDistributed, loadTopology, monolithTopology, selectService, type Topology } from '../../../src/host/topology.js';
import { loadConfig, type DatabaseConfig } from '../../../src/kernel/config.js';
import { openDatabase, type DatabaseHandle } from '../../../src/kernel/database.js';
import { pendingMigrations } from '../../../src/kernel/module-data.js';
import { compareContractSnapshots } from '../../contracts.js';
import { shown, type Project } from '../project.js';
import { databaseOf, describeDatabase, modulesHere, pgliteState, type Env } from './database.js';
import { satisfiesRange } from './node-version.js';

export interface CheckResult {
  readonly name: string;
  /** `skip`: the check does not apply to this deployment. */
  readonly status: 'ok' | 'FAIL' | 'skip';
  readonly detail: string;
  /** What to do, when it failed. */
  readonly fix?: string;
}

const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
const failed = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'FAIL', detail, fix });
const skipped = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, '; ');

export const nodeCheck = (project: Project, nodeVersion: string = process.version): CheckResult => {
  const pkg = JSON.parse(readFileSync(join(project.root, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const range = pkg.engines?.node;
  if (range === undefined) return ok('node', `${nodeVersion} (package.json names no engines.node)`);
  const verdict = satisfiesRange(nodeVersion, range);
  if (verdict === undefined) return skipped('node', `${nodeVersion}; engines.node "${range}" is a range this check cannot read`);
  return verdict ? ok('node', `${nodeVersion} satisfies engines.node ${range}`) : failed('node', `${nodeVersion} does not satisfy engines.node ${range}`, `install a Node version in ${range} (Node 24 is what Seam is built for)`);
};

export const configurationCheck = (env: Env): CheckResult => {
  try {
    const config = loadConfig(env);
    return ok('configuration', `NODE_ENV ${config.env}, every variable valid`);
  } catch (error) {
    return failed('configuration', messageOf(error), 'correct the variables named, as a service would refuse to start with them');
  }
};

/** The topology the configured service belongs to, checked against the application's modules. */
export const topologyCheck = (project: Project, application: Application, env: Env): { result: CheckResult; topology?: Topology } => {
  const names = application.modules.map((module) => module.name);
  const file = env['SEAM_TOPOLOGY'];
  try {
    const topology = file ? loadTopology(resolve(project.root, file), names) : monolithTopology(names, application.name);
    if (env['SEAM_SERVICE']) selectService(topology, env['SEAM_SERVICE']);
    const services = topology.services.map((service) => `${service.name} (${[...service.modules, ...(service.gateway ? ['gateway'] : [])].join(', ')})`);
    return { result: ok('topology', `${file ? shown(project, resolve(project.root, file)) : 'built-in monolith'}: ${services.join(', ')}`), topology };
  } catch (error) {
    return { result: failed('topology', messageOf(error), file ? `edit ${file} (seam topology check ${file} shows every problem), or unset SEAM_TOPOLOGY for the built-in monolith` : 'set SEAM_SERVICE to a service of the topology, or unset it') };
  }
};

/** `host:port` of a URL, for messages. */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url.replace(/^[a-z]+:\/\/([^@/]*@)?/, '').split('/')[0] ?? url;
  }
};

const postgresFix = (error: unknown, where: string): string => {
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'CONNECT_TIMEOUT') return `start PostgreSQL at ${where}, or point DATABASE_URL at a running server (unset it for the embedded database)`;
  if (code === '28P01' || code === '28000') return 'correct the user and password in DATABASE_URL';
  if (code === '3D000') return 'create the database named in DATABASE_URL (createdb), or point DATABASE_URL at an existing one';
  return 'check that DATABASE_URL names a PostgreSQL server this machine can reach';
};

const migrationsCheck = async (project: Project, application: Application, env: Env, database: DatabaseHandle): Promise<CheckResult> => {
  try {
    const modules = modulesHere(project, application, env);
    const pending = await pendingMigrations(database, modules);
    return pending === 0
      ? ok('migrations', `none pending for ${modules.length} modules`)
      : failed('migrations', `${pending} pending for ${modules.length} modules`, 'run seam db migrate (a service also migrates when it starts)');
  } catch (error) {
    return failed('migrations', messageOf(error), 'check that the DATABASE_URL role may read the modules\' schemas (seam db provision hands them over)');
  }
};

/** Whether the database answers, and how many migrations its modules have pending. */
export const databaseChecks = async (project: Project, application: Application, env: Env): Promise<CheckResult[]> => {
  let config: DatabaseConfig;
  try {
    config = databaseOf(project, env);
  } catch (error) {
    return [failed('database', messageOf(error), 'set DATABASE_URL to postgres://user:password@host:port/database, or unset it for the embedded database'), skipped('migrations', 'no database to count them in')];
  }
  const shownAs = describeDatabase(project, config);
  if (config.kind === 'pglite') {
    const state = pgliteState(config.dataDir);
    if (state === 'absent') return [ok('database', `${shownAs}: not created yet (seam dev creates and migrates it)`), skipped('migrations', 'no database yet')];
    // PGlite takes one process at a time: opening it under a running service could corrupt it.
    if (state === 'in use') return [ok('database', `${shownAs}: open in a running process (seam dev?), not opened here`), skipped('migrations', 'the embedded database is in use: stop the service to count them')];
  }
  let database: DatabaseHandle | undefined;
  try {
    database = await openDatabase(config);
    await database.ping();
    return [ok('database', `${shownAs} answers`), await migrationsCheck(project, application, env, database)];
  } catch (error) {
    const fix = config.kind === 'postgres' ? postgresFix(error, hostOf(config.url)) : `move ${shownAs} aside and start again: seam dev makes a new one`;
    return [failed('database', `${shownAs}: ${messageOf(error)}`, fix), skipped('migrations', 'the database does not answer')];
  } finally {
    await database?.close();
  }
};

/** Whether Redis answers, when REDIS_URL is set or the topology has several services (their events cross it). */
export const redisCheck = async (project: Project, env: Env, topology: Topology | undefined): Promise<CheckResult> => {
  const url = env['REDIS_URL'];
  const needed = topology !== undefined && isDistributed(topology);
  if (!url) return needed ? failed('redis', 'REDIS_URL is not set', `set REDIS_URL: the services of ${shown(project, topology.source)} exchange events over Redis`) : skipped('redis', 'not needed: one service, and REDIS_URL is not set');
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  // Why a connection failed arrives as an event; the awaited call then only says "Connection is closed".
  let cause: unknown;
  redis.on('error', (error: unknown) => void (cause = error));
  try {
    await redis.connect();
    await redis.ping();
    return ok('redis', `${hostOf(url)} answers`);
  } catch (error) {
    return failed('redis', `${hostOf(url)}: ${messageOf(cause ?? error)}`, 'start Redis there, or point REDIS_URL at a running server');
  } finally {
    redis.disconnect();
  }
};

/** Whether the committed contract snapshots match the code: no breaking change, none missing. */
export const contractsCheck = (project: Project, application: Application): CheckResult => {
  try {
    const comparison = compareContractSnapshots(project, application, project.contractsDir);
    const where = shown(project, project.contractsDir);
    if (comparison.breaking.length > 0) {
      return failed('contracts', `${comparison.breaking.length} breaking change(s), the first: ${comparison.breaking[0]}`, 'keep the contracts compatible or publish a new major version; seam contracts check lists every change');
    }
    if (comparison.missing.length > 0) return failed('contracts', `no snapshot in ${where} for ${comparison.missing.join(', ')}`, 'run seam contracts snapshot and commit the files');
    const additive = comparison.unrecorded.length > 0 ? `; additive changes to ${comparison.unrecorded.join(', ')} not recorded yet (seam contracts snapshot)` : '';
    return ok('contracts', `${comparison.contracts} match their snapshots in ${where}${additive}`);
  } catch (error) {
    return failed('contracts', messageOf(error), 'restore the snapshot files from git, or record them again with seam contracts snapshot');
  }
};

/** Every check, in the order they are printed. */
export const runChecks = async (project: Project, application: Application, env: Env): Promise<CheckResult[]> => {
  const topology = topologyCheck(project, application, env);
  return [
    nodeCheck(project),
    configurationCheck(env),
    topology.result,
    ...(await databaseChecks(project, application, env)),
    await redisCheck(project, env, topology.topology),
    contractsCheck(project, application),
  ];
};
