/**
 * @module A generated module's first migration, written by drizzle-kit from its schema.ts in
 * the project itself (as `seam db generate` does), so the SQL and drizzle's meta files are
 * exactly what the project's drizzle-kit makes, never a copy that could drift from it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CliFailure } from '../cli-errors.js';
import type { FileChange } from '../file-changes.js';

/** Every file under `dir`, at any depth. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort()
    : [];

/**
 * Runs `drizzle-kit generate` for the schema in `moduleDir` into its `migrations` folder,
 * named `init`; returns the files it wrote. The migrator creates the module's schema before
 * running migrations (for its migrations table), so `CREATE SCHEMA` becomes `IF NOT EXISTS`.
 */
export const generateFirstMigration = (root: string, moduleDir: string): FileChange[] => {
  const migrations = join(moduleDir, 'migrations');
  const drizzleKit = join(root, 'node_modules', '.bin', 'drizzle-kit');
  if (!existsSync(drizzleKit)) throw new CliFailure(`drizzle-kit is not installed in ${root}: npm install --save-dev drizzle-kit, then seam db generate`);
  const result = spawnSync(
    drizzleKit,
    ['generate', '--dialect', 'postgresql', '--schema', relative(root, join(moduleDir, 'schema.ts')), '--out', relative(root, migrations), '--name', 'init'],
    { cwd: root, encoding: 'utf8', env: process.env },
  );
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').at(-1) ?? '';
    throw new CliFailure(`drizzle-kit generate failed for ${relative(root, moduleDir)} (${output || `exit ${result.status ?? result.signal}`})`);
  }
  return filesUnder(migrations).map((path) => {
    const written = readFileSync(path, 'utf8');
    const after = path.endsWith('.sql') ? written.replace(/CREATE SCHEMA "/g, 'CREATE SCHEMA IF NOT EXISTS "') : written;
    if (after !== written) writeFileSync(path, after);
    return { path, before: undefined, after };
  });
};
