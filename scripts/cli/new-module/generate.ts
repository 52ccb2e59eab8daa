/**
 * @module `seam new module <name>`: writes a module that runs and passes its test as
 * generated, and makes it part of the application: the application file, the public edge,
 * every topology, its first migration and the contract and public API snapshots. With
 * `--subscribe`, it also consumes other modules' events (subscriptions.ts checks them).
 *
 * Every check and every edit of an existing file is planned before the first file is written,
 * so a name that cannot be used or a file of unexpected shape changes nothing; a later step
 * that fails (drizzle-kit, a placement, a snapshot) puts every file back as it was.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyModule } from '../../../src/kernel/module.js';
import type { Application } from '../../../src/host/application.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { applyChanges, type FileChange } from '../file-changes.js';
import { shown, type Project } from '../project.js';
import { addToApplication, addToEdge, specifierFrom } from './composition-edits.js';
import { generateFirstMigration } from './migrations.js';
import { moduleNames, type ModuleNames } from './names.js';
import { placeModule, topologyFiles } from './placement.js';
import { recordSnapshots } from './snapshots.js';
import { resolveSubscriptions, type SubscribedEvent, type SubscriptionRequest } from './subscriptions.js';
import { repositoryTemplate, serviceTemplate } from './templates/logic-templates.js';
import { contractTemplate, moduleTemplate, schemaTemplate } from './templates/module-templates.js';
import { routeTemplate } from './templates/route-template.js';
import { heardRepositoryTemplate } from './templates/subscriber-templates.js';
import type { ImportPaths, TemplateContext } from './templates/template-context.js';
import { moduleTestTemplate } from './templates/test-template.js';

export interface NewModuleOptions {
  readonly name: string;
  /** The contract declares one event, which the method publishes. */
  readonly events: boolean;
  /** Events of other modules the module consumes (`--subscribe reviews.ReviewAdded`), already parsed. */
  readonly subscribe?: readonly SubscriptionRequest[];
}

export interface GeneratedModule {
  readonly names: ModuleNames;
  /** The events it consumes, each with a handler in its module.ts. */
  readonly subscriptions: readonly SubscribedEvent[];
  /** Every file written, created or changed, in the order it was. */
  readonly changes: readonly FileChange[];
  /** Where the module runs in each topology, one line each. */
  readonly placements: readonly string[];
  /** What placing it left to the user, one sentence each. */
  readonly notes: readonly string[];
}

/**
 * The framework's folder (holding kernel/, transport/, gateway/ and host/), found from the
 * application file's import of `defineApplication`, so the generated files import it the way
 * the project's own files do.
 */
const frameworkDir = (project: Project, applicationText: string): string => {
  const imported = /import\s*\{[^}]*\bdefineApplication\b[^}]*\}\s*from\s*'([^']+)'/.exec(applicationText)?.[1];
  const dir = imported?.startsWith('.') ? dirname(dirname(join(dirname(project.applicationFile), imported))) : undefined;
  if (dir === undefined || !existsSync(join(dir, 'kernel', 'module.ts'))) {
    throw new CliFailure(`${shown(project, project.applicationFile)} does not import defineApplication from the framework's sources (host/application.js): seam new module writes modules for such a project only`);
  }
  return dir;
};

const importPaths = (project: Project, framework: string, moduleDir: string): ImportPaths => {
  const folder = (from: string, to: string): string => specifierFrom(from, to).replace(/\.js$/, '');
  return {
    kernelFromModule: folder(moduleDir, join(framework, 'kernel')),
    transportFromModule: folder(moduleDir, join(framework, 'transport')),
    kernelFromApi: folder(project.apiDir, join(framework, 'kernel')),
    gatewayFromApi: folder(project.apiDir, join(framework, 'gateway')),
    moduleFromApi: folder(project.apiDir, moduleDir),
  };
};

/** Refuses a name the application has already: a module, a folder, a contract or an error code. */
const assertNew = (project: Project, application: Application, names: ModuleNames, moduleDir: string, routesFile: string): void => {
  if (application.modules.some((module) => module.name === names.module)) throw new UsageError(`module ${names.module} exists already in ${shown(project, project.applicationFile)}`);
  for (const path of [moduleDir, routesFile]) if (existsSync(path)) throw new UsageError(`${shown(project, path)} exists already: choose another name, or remove it`);
  const contracts = application.modules.map((module) => module.provides);
  if (contracts.some((contract) => contract.name === names.kebab)) throw new UsageError(`contract ${names.kebab} is provided by another module already: choose another name`);
  const code = `${names.one.constant}_ALREADY_EXISTS`;
  const codes = contracts.flatMap((contract) => Object.values(contract.methods).flatMap((method) => method.errors.map((error) => error.code)));
  if (codes.includes(code)) throw new UsageError(`error code ${code} is declared by another module already: choose another name`);
};

/** The new module, as the generated module.ts exports it (read from the source, fresh). */
const importModule = async (moduleFile: string, names: ModuleNames): Promise<AnyModule> => {
  const loaded = (await import(pathToFileURL(moduleFile).href)) as Record<string, AnyModule | undefined>;
  const module = loaded[`${names.camel}Module`];
  if (!module) throw new CliFailure(`${moduleFile} exports no ${names.camel}Module`);
  return module;
};

/** Writes the module and places it everywhere; returns what it changed. */
export const generateModule = async (project: Project, application: Application, options: NewModuleOptions): Promise<GeneratedModule> => {
  if (import.meta.url.endsWith('.js')) throw new CliFailure('seam new module writes TypeScript: run it from the sources (npm ci, then npx seam), not from a build');
  const names = moduleNames(options.name);
  const moduleDir = join(project.modulesDir, names.module);
  const routesFile = join(project.apiDir, `${names.kebab}.routes.ts`);
  const edgeFile = join(project.apiDir, 'edge.ts');
  assertNew(project, application, names, moduleDir, routesFile);
  const subscriptions = await resolveSubscriptions(project, application, names, options.subscribe ?? []);
  for (const file of [project.applicationFile, edgeFile]) if (!existsSync(file)) throw new CliFailure(`${shown(project, file)} not found: seam new module adds the module there`);

  const applicationText = readFileSync(project.applicationFile, 'utf8');
  const edgeText = readFileSync(edgeFile, 'utf8');
  const context: TemplateContext = {
    names,
    events: options.events,
    subscriptions: subscriptions.map(({ contractFile, contractExport, ...event }) => ({ ...event, contract: contractExport, contractFromModule: specifierFrom(moduleDir, contractFile) })),
    paths: importPaths(project, frameworkDir(project, applicationText), moduleDir),
  };
  const at = (file: string): string => join(moduleDir, file);
  const created = (path: string, after: string): FileChange => ({ path, before: undefined, after });
  const written: FileChange[] = [
    created(at('contract.ts'), contractTemplate(context)),
    created(at('schema.ts'), schemaTemplate(context)),
    created(at('module.ts'), moduleTemplate(context)),
    ...(subscriptions.length > 0 ? [created(at('heard-event.repository.ts'), heardRepositoryTemplate(context))] : []),
    created(at(`${names.kebab}.service.ts`), serviceTemplate(context)),
    created(at(`${names.one.kebab}.repository.ts`), repositoryTemplate(context)),
    created(at(`${names.kebab}.service.test.ts`), moduleTestTemplate(context)),
    created(routesFile, routeTemplate(context)),
    {
      path: project.applicationFile,
      before: applicationText,
      after: addToApplication(applicationText, { file: project.applicationFile, shownFile: shown(project, project.applicationFile), moduleFile: at('module.ts'), names }),
    },
    {
      path: edgeFile,
      before: edgeText,
      after: addToEdge(edgeText, { file: edgeFile, shownFile: shown(project, edgeFile), contractFile: at('contract.ts'), routesFile, names }),
    },
  ];
  applyChanges(written);
  const changes = [...written];
  const placements: string[] = [];
  const notes: string[] = [];
  try {
    changes.push(...generateFirstMigration(project.root, moduleDir));
    const withModule: Application = { ...application, modules: [...application.modules, await importModule(at('module.ts'), names)] };
    for (const file of topologyFiles(project)) {
      // One topology at a time: an extraction reads the files the previous one may have changed.
      const placement = placeModule(project, withModule, names.module, file);
      applyChanges(placement.changes);
      changes.push(...placement.changes);
      placements.push(placement.summary);
      notes.push(...placement.notes);
    }
    changes.push(...recordSnapshots(project));
  } catch (error) {
    // Half a module is worse than none: put every file back as it was, then say why.
    applyChanges(changes.toReversed().map(({ path, before, after }) => ({ path, before: after, after: before })));
    rmSync(moduleDir, { recursive: true, force: true });
    if (!(error instanceof CliFailure)) throw error;
    throw new CliFailure(`module ${names.module} not written: ${error.message}; fix that and run seam new module ${names.module} again`, error.exitCode);
  }
  return { names, subscriptions, changes, placements, notes };
};
