/**
 * @module `seam dev`, `seam start` and `seam split`: the application from its sources in this
 * process, the compiled application under plain node, and the split topology as local processes.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { productionNodeFlags } from '../../entry-command.js';
import { CliFailure } from '../cli-errors.js';
import { findProject, runnableFile, shown, type Project } from '../project.js';
import { buildIfStale, runInForeground } from './foreground.js';

/** Where `npm run build` puts the compiled form of `source`, a `.ts` file of the project. */
export const compiledFile = (project: Project, source: string): string =>
  join(project.root, 'dist', relative(project.root, source)).replace(/\.ts$/, '.js');

/**
 * Runs the project's entry point in this process, development defaults unless NODE_ENV says
 * otherwise. Resolves once the service listens; the service stops on SIGINT or SIGTERM.
 */
export const runDev = async (project: Project): Promise<void> => {
  const main = runnableFile(project.mainFile);
  if (!existsSync(main)) throw new CliFailure(`${shown(project, main)} does not exist: set "seam.main" in package.json to the entry point`);
  process.env['NODE_ENV'] ??= 'development';
  // Relative settings (PGLITE_DIR's .seam/pglite, topology paths) mean the same from any folder of the project.
  process.chdir(project.root);
  await import(pathToFileURL(main).href);
};

/** Runs `file` (compiled JavaScript) under plain node with production's flags; resolves with the exit code to end with. */
const runCompiled = (project: Project, file: string, env: NodeJS.ProcessEnv): Promise<number> => {
  if (!existsSync(file)) throw new CliFailure(`${shown(project, file)} does not exist: run npm run build`);
  return runInForeground(process.execPath, [...productionNodeFlags, file], { cwd: project.root, env });
};

/** Builds if stale, then runs the compiled entry point in production mode; resolves with its exit code. */
export const runStart = async (project: Project): Promise<number> => {
  await buildIfStale(project);
  return runCompiled(project, compiledFile(project, project.mainFile), { ...process.env, NODE_ENV: 'production' });
};

/** Builds if stale, then runs the split runner (dist/scripts/split.js) on `topology`, or on SEAM_TOPOLOGY or its default. */
export const runSplit = async (project: Project, options: { readonly topology?: string }): Promise<number> => {
  const topology = options.topology === undefined ? undefined : resolve(options.topology);
  if (topology !== undefined && !existsSync(topology)) throw new CliFailure(`topology ${options.topology} does not exist: give the path of a topology file, e.g. deploy/split/topology.yaml`);
  await buildIfStale(project);
  const env = { ...process.env, ...(topology === undefined ? {} : { SEAM_TOPOLOGY: topology }) };
  return runCompiled(project, join(project.root, 'dist', 'scripts', 'split.js'), env);
};

export const devCommand = (): Command =>
  new Command('dev')
    .description('run the application from its TypeScript sources, development defaults (embedded PostgreSQL in .seam/pglite, sample data)')
    .addHelpText('after', '\nExample:\n  $ seam dev\n  $ PORT=4000 DATABASE_URL=postgres://localhost/shop seam dev')
    .action(() => runDev(findProject()));

export const startCommand = (): Command =>
  new Command('start')
    .description('build if anything changed, then run the compiled application with plain node in production mode (needs JWT_SECRET)')
    .addHelpText('after', '\nExample:\n  $ JWT_SECRET=$(openssl rand -base64 32) SEAM_SEED=auto seam start')
    .action(async () => {
      process.exitCode = await runStart(findProject());
    });

export const splitCommand = (): Command =>
  new Command('split')
    .description('build if anything changed, then run every service of a split topology as a local process (throwaway PostgreSQL and Redis unless DATABASE_URL and REDIS_URL are set)')
    .option('--topology <file>', 'the topology to run (default: SEAM_TOPOLOGY, else deploy/split/topology.yaml)')
    .addHelpText('after', '\nExample:\n  $ seam split --topology deploy/examples/inventory-extracted.yaml')
    .action(async (options: { topology?: string }) => {
      process.exitCode = await runSplit(findProject(), options);
    });
