/**
 * @module `npm run db:generate [module...]`: drizzle-kit generate for each module, into that
 * module's own migrations folder, so no migration ever spans two schemas. The test modules in
 * test/kernel/fixtures are generated the same way, so their tables (the kernel's outbox and
 * inbox among them) are migrated exactly as a real module's are.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
/** Folders whose subfolders with a schema.ts are modules: the application's, and the tests'. */
const moduleRoots = [join('src', 'modules'), join('test', 'kernel', 'fixtures')];
const args = process.argv.slice(2);
const nameFlag = args.indexOf('--name');
const migrationName = nameFlag >= 0 ? args[nameFlag + 1] : undefined;
const requested = args.filter((_, index) => nameFlag < 0 || (index !== nameFlag && index !== nameFlag + 1));
const modules = moduleRoots
  .flatMap((folder) => readdirSync(join(root, folder)).map((name) => ({ name, folder: join(folder, name) })))
  .filter(({ name, folder }) => existsSync(join(root, folder, 'schema.ts')) && (requested.length === 0 || requested.includes(name)));
const unknown = requested.filter((name) => !modules.some((module) => module.name === name));
if (unknown.length > 0) {
  console.error(`No module with a schema.ts named: ${unknown.join(', ')}`);
  process.exit(2);
}

/**
 * The migrator creates the module's schema first, to hold its migrations table; drizzle-kit's
 * own `CREATE SCHEMA` would then fail, so generated files get `IF NOT EXISTS`.
 */
function makeSchemaCreationIdempotent(migrations: string): void {
  for (const file of readdirSync(migrations).filter((entry) => entry.endsWith('.sql'))) {
    const path = join(migrations, file);
    const text = readFileSync(path, 'utf8');
    const fixed = text.replace(/CREATE SCHEMA "/g, 'CREATE SCHEMA IF NOT EXISTS "');
    if (fixed !== text) writeFileSync(path, fixed);
  }
}

for (const { name, folder } of modules) {
  console.log(`${name}:`);
  const result = spawnSync(
    'drizzle-kit',
    [
      'generate', '--dialect', 'postgresql', '--schema', join(folder, 'schema.ts'), '--out', join(folder, 'migrations'),
      ...(migrationName ? ['--name', migrationName] : []),
    ],
    { cwd: root, stdio: 'inherit', shell: false, env: { ...process.env, PATH: `${join('node_modules', '.bin')}:${process.env.PATH ?? ''}` } },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
  makeSchemaCreationIdempotent(join(root, folder, 'migrations'));
}
