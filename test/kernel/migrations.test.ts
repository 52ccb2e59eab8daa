/**
 * Every module's migrations hold what its schema.ts declares, the application's modules and
 * the test modules in test/kernel/fixtures alike: the kernel's outbox and inbox tables reach a
 * database only through migrations drizzle-kit generated from them, so a change to
 * outbox-tables.ts that no migration carries fails here, not in a relay at run time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateDrizzleJson, generateMigration, type DrizzleSnapshotJSON } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
/** Where `npm run db:generate` looks for modules (see scripts/db-generate.ts). */
const moduleRoots = [join('src', 'modules'), join('test', 'kernel', 'fixtures')];

const modules = moduleRoots.flatMap((folder) =>
  readdirSync(join(root, folder))
    .map((name) => join(folder, name))
    .filter((path) => existsSync(join(root, path, 'schema.ts'))),
);

/** The snapshot drizzle-kit wrote with a folder's newest migration: the schema the migrations reach. */
const newestSnapshot = (migrations: string): DrizzleSnapshotJSON => {
  const journal = JSON.parse(readFileSync(join(migrations, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number }[] };
  const newest = journal.entries.at(-1);
  if (newest === undefined) throw new Error(`${migrations} has no migrations`);
  const file = `${String(newest.idx).padStart(4, '0')}_snapshot.json`;
  return JSON.parse(readFileSync(join(migrations, 'meta', file), 'utf8')) as DrizzleSnapshotJSON;
};

/** The statements a new migration would need to bring the migrated schema to what `tables` declare. */
const missingStatements = async (migrated: DrizzleSnapshotJSON, tables: Record<string, unknown>): Promise<string[]> =>
  generateMigration(migrated, generateDrizzleJson(tables, migrated.id));

describe('migrations', () => {
  it('finds the application modules and the test modules', () => {
    expect(modules).toEqual(expect.arrayContaining([join('src', 'modules', 'orders'), join('test', 'kernel', 'fixtures', 'publisher'), join('test', 'kernel', 'fixtures', 'relay-a')]));
  });

  it.each(modules)('%s: its migrations create every table and column its schema.ts declares', async (module) => {
    const tables = (await import(pathToFileURL(join(root, module, 'schema.ts')).href)) as Record<string, unknown>;
    expect(await missingStatements(newestSnapshot(join(root, module, 'migrations')), tables)).toEqual([]);
  });

  it('notices an outbox column that no migration creates', async () => {
    const fixture = join(root, 'test', 'kernel', 'fixtures', 'relay-a');
    // The migrations as they would be had they been generated before outbox-tables.ts had `traceparent`.
    const migrated = structuredClone(newestSnapshot(join(fixture, 'migrations'))) as DrizzleSnapshotJSON & { tables: Record<string, { columns: Record<string, unknown> }> };
    delete migrated.tables['relay_a.outbox']!.columns['traceparent'];
    const tables = (await import(pathToFileURL(join(fixture, 'schema.ts')).href)) as Record<string, unknown>;
    expect(await missingStatements(migrated, tables)).toEqual([expect.stringContaining('ADD COLUMN "traceparent" text')]);
  });
});
