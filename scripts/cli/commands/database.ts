/**
 * @module The database a `seam` command works on, found as a service finds its own:
 * DATABASE_URL, else the embedded PGlite directory (PGLITE_DIR, default .seam/pglite, from the
 * project root), and the modules that service runs (SEAM_SERVICE of SEAM_TOPOLOGY; all of them
 * without SEAM_SERVICE).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Application } from '../../../src/host/application.js';
import { loadTopology, selectService } from '../../../src/host/topology.js';
import type { DatabaseConfig } from '../../../src/kernel/config.js';
import { openDatabase, type DatabaseHandle } from '../../../src/kernel/database.js';
import type { AnyModule } from '../../../src/kernel/module.js';
import { CliFailure } from '../cli-errors.js';
import { shown, type Project } from '../project.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the data is; a PGlite directory is absolute, resolved from the project root as `seam dev` resolves it. */
export const databaseOf = (project: Project, env: Env): DatabaseConfig => {
  const url = env['DATABASE_URL'];
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\/\S+$/.test(url)) throw new CliFailure('DATABASE_URL is not a postgres:// or postgresql:// URL: correct it, or unset it for the embedded database', 78);
    return { kind: 'postgres', url };
  }
  const dir = env['PGLITE_DIR'] || '.seam/pglite';
  return { kind: 'pglite', dataDir: dir === 'memory://' ? dir : resolve(project.root, dir) };
};

/** How a database is named in messages: a URL without its password, or the PGlite directory. */
export const describeDatabase = (project: Project, database: DatabaseConfig): string => {
  if (database.kind === 'pglite') return `embedded PGlite in ${shown(project, database.dataDir)}`;
  try {
    const url = new URL(database.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'DATABASE_URL';
  }
};

/** What the embedded database in `dataDir` is like before opening it: PGlite takes one process at a time, and says nothing when a second opens it. */
export const pgliteState = (dataDir: string): 'absent' | 'in use' | 'closed' => {
  if (dataDir === 'memory://' || !existsSync(dataDir)) return 'absent';
  // PGlite writes postmaster.pid while open and removes it on close.
  return existsSync(join(dataDir, 'postmaster.pid')) ? 'in use' : 'closed';
};

/** The refusal to open an embedded database another process holds, naming what to do. */
export const pgliteInUse = (project: Project, dataDir: string): CliFailure =>
  new CliFailure(
    `the embedded database in ${shown(project, dataDir)} is open in another process (seam dev?): stop it first; if nothing runs, a crash left ${shown(project, join(dataDir, 'postmaster.pid'))} behind, delete it`,
  );

/** Opens the database a command works on; refuses an embedded one another process has open. */
export const openCommandDatabase = async (project: Project, env: Env): Promise<DatabaseHandle> => {
  const database = databaseOf(project, env);
  if (database.kind === 'pglite' && pgliteState(database.dataDir) === 'in use') throw pgliteInUse(project, database.dataDir);
  return openDatabase(database);
};

/** The modules whose data this database holds for the service configured in `env`: SEAM_SERVICE's, or every module. */
export const modulesHere = (project: Project, application: Application, env: Env): readonly AnyModule[] => {
  const service = env['SEAM_SERVICE'];
  if (service === undefined || service === '') return application.modules;
  const topologyFile = env['SEAM_TOPOLOGY'];
  if (topologyFile === undefined) throw new CliFailure(`SEAM_SERVICE is ${service} but SEAM_TOPOLOGY is not set: set it to the topology that names the service, or unset SEAM_SERVICE for every module`, 78);
  const names = application.modules.map((module) => module.name);
  const chosen = selectService(loadTopology(resolve(project.root, topologyFile), names), service);
  return application.modules.filter((module) => chosen.modules.includes(module.name));
};
