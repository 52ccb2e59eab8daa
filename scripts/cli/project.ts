/**
 * @module The project the `seam` CLI works on: the nearest package.json at or above the
 * working directory, and where its `seam` field says the application lives. Every command
 * reads the application from there, so the CLI works for any application, not only the shop.
 *
 *   "seam": { "application": "src/application.ts", "main": "src/main.ts" }   (the defaults)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { Application } from '../../src/host/application.js';
import { isCompiled, projectRootOf } from '../entry-command.js';
import { CliFailure } from './cli-errors.js';

const seamField = z
  .object({
    /** Exports `application` (defineApplication). */
    application: z.string().default('src/application.ts'),
    /** The entry point every service runs: `await runService(application)`. */
    main: z.string().default('src/main.ts'),
    /** One folder per module. */
    modules: z.string().default('src/modules'),
    /** The public routes, and edge.ts that mounts them. */
    api: z.string().default('src/api'),
    /** Topologies, compose files and kustomize trees. */
    deploy: z.string().default('deploy'),
    /** Contract snapshots. */
    contracts: z.string().default('contracts'),
  })
  .default({ application: 'src/application.ts', main: 'src/main.ts', modules: 'src/modules', api: 'src/api', deploy: 'deploy', contracts: 'contracts' });

export interface Project {
  /** The folder holding package.json. */
  readonly root: string;
  /** Absolute paths of the sources (`.ts`), whatever form the CLI runs in. */
  readonly applicationFile: string;
  readonly mainFile: string;
  readonly modulesDir: string;
  readonly apiDir: string;
  readonly deployDir: string;
  readonly contractsDir: string;
}

/** The project at or above `cwd`; a failure names what is missing. */
export const findProject = (cwd: string = process.cwd()): Project => {
  let root: string;
  try {
    root = projectRootOf(cwd);
  } catch {
    throw new CliFailure(`No package.json at or above ${cwd}: run seam inside a project`);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { seam?: unknown };
  const parsed = seamField.safeParse(pkg.seam);
  if (!parsed.success) throw new CliFailure(`package.json "seam" field: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  const at = (path: string): string => resolve(root, path);
  return {
    root,
    applicationFile: at(parsed.data.application),
    mainFile: at(parsed.data.main),
    modulesDir: at(parsed.data.modules),
    apiDir: at(parsed.data.api),
    deployDir: at(parsed.data.deploy),
    contractsDir: at(parsed.data.contracts),
  };
};

/**
 * Where `source` (a `.ts` file) runs from in the CLI's own form: itself under tsx; when the CLI
 * is compiled, its `.js` in the same build as the CLI (dist/ in production), so the CLI never
 * runs an application compiled at another time than itself.
 */
export const runnableFile = (source: string, cliUrl: string = import.meta.url): string => {
  if (!isCompiled(cliUrl)) return source;
  // This file compiles to <build>/scripts/cli/project.js; the build mirrors its project's folders.
  const build = resolve(fileURLToPath(cliUrl), '..', '..', '..');
  return join(build, relative(projectRootOf(build), source)).replace(/\.ts$/, '.js');
};

/** The project's application, imported from its declared file. */
export const loadApplication = async (project: Project): Promise<Application> => {
  const file = runnableFile(project.applicationFile);
  if (!existsSync(file)) throw new CliFailure(`${relative(project.root, file)} does not exist: set "seam.application" in package.json, or build first (npm run build)`);
  const loaded = (await import(pathToFileURL(file).href)) as { application?: Application };
  if (!loaded.application) throw new CliFailure(`${relative(project.root, file)} exports no \`application\`: export const application = defineApplication({ ... })`);
  return loaded.application;
};

/** A path as the user should read it: relative to the project when inside it. */
export const shown = (project: Project, path: string): string => {
  const inside = relative(project.root, path);
  return inside.startsWith('..') ? path : inside || '.';
};

