/**
 * @module `seam db generate [module...]`: drizzle-kit generate for each module, into that
 * module's own migrations folder, so no migration ever spans two schemas. A module is a folder
 * with a schema.ts in the project's modules folder, or in another folder given (this
 * repository's test modules in test/kernel/fixtures are generated the same way, so their
 * tables, the kernel's outbox and inbox among them, are migrated exactly as a real module's).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { CliFailure, UsageError } from './cli/cli-errors.js';
import { shown, type Project } from './cli/project.js';

export interface GenerateOptions {
  /** Module names; every module when empty. */
  readonly modules: readonly string[];
  /** Folders holding modules besides the project's modules folder. */
  readonly moduleFolders: readonly string[];
  /** The new migration's name (drizzle-kit makes one up otherwise). */
  readonly name?: string;
}

interface ModuleFolder {
  readonly name: string;
  readonly folder: string;
}

/** Every module under `folders`: each subfolder with a schema.ts. */
const modulesUnder = (folders: readonly string[]): ModuleFolder[] =>
  folders.flatMap((parent) => {
    if (!existsSync(parent)) throw new UsageError(`${parent} does not exist: give a folder whose subfolders are modules`);
    return readdirSync(parent)
      .map((name) => ({ name, folder: join(parent, name) }))
      .filter(({ folder }) => existsSync(join(folder, 'schema.ts')));
  });

/**
 * The migrator creates the module's schema first, to hold its migrations table; drizzle-kit's
 * own `CREATE SCHEMA` would then fail, so generated files get `IF NOT EXISTS`.
 */
const makeSchemaCreationIdempotent = (migrations: string): void => {
  for (const file of readdirSync(migrations).filter((entry) => entry.endsWith('.sql'))) {
    const path = join(migrations, file);
    const text = readFileSync(path, 'utf8');
    const fixed = text.replace(/CREATE SCHEMA "/g, 'CREATE SCHEMA IF NOT EXISTS "');
    if (fixed !== text) writeFileSync(path, fixed);
  }
};

/** Generates the migrations of the modules asked for (drizzle-kit prints what it did); returns their folders, as shown to the user. */
export const generateMigrations = (project: Project, options: GenerateOptions): string[] => {
  const known = modulesUnder([project.modulesDir, ...options.moduleFolders.map((folder) => resolve(folder))]);
  const unknown = options.modules.filter((name) => !known.some((module) => module.name === name));
  if (unknown.length > 0) throw new UsageError(`no module with a schema.ts named ${unknown.join(', ')} (modules: ${known.map((module) => module.name).join(', ')})`);
  const chosen = options.modules.length === 0 ? known : known.filter((module) => options.modules.includes(module.name));
  const bin = join(project.root, 'node_modules', '.bin');
  for (const { name, folder } of chosen) {
    console.log(`${name}:`);
    const migrations = join(folder, 'migrations');
    const result = spawnSync(
      'drizzle-kit',
      ['generate', '--dialect', 'postgresql', '--schema', join(folder, 'schema.ts'), '--out', migrations, ...(options.name === undefined ? [] : ['--name', options.name])],
      { cwd: project.root, stdio: 'inherit', env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` } },
    );
    if (result.error) throw new CliFailure(`drizzle-kit could not be run (${result.error.message}): run npm ci`);
    if (result.status !== 0) throw new CliFailure(`drizzle-kit generate failed for ${shown(project, folder)} (its output is above): fix its schema.ts and run seam db generate ${name} again`, result.status ?? 1);
    makeSchemaCreationIdempotent(migrations);
  }
  return chosen.map((module) => shown(project, module.folder));
};
