/**
 * @module `seam db generate|migrate|provision|seed`: the modules' migrations, the schemas they
 * make, the services' roles, and sample data.
 */
import { Command } from 'commander';
import { findProject, loadApplication } from '../project.js';

/** Collects a repeatable option's values. */
const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];

const generateCommand = (): Command =>
  new Command('generate')
    .description("write a migration for each module whose schema.ts changed, into the module's own migrations folder (drizzle-kit)")
    .argument('[modules...]', 'module names (default: every module)')
    .option('--name <name>', "the new migration's name")
    .option('--modules-dir <folder>', 'another folder whose subfolders are modules (repeatable)', collect, [])
    .addHelpText('after', '\nExample:\n  $ seam db generate orders --name add-order-notes')
    .action(async (modules: string[], options: { name?: string; modulesDir: string[] }) => {
      const { generateMigrations } = await import('../../db-generate.js');
      generateMigrations(findProject(), { modules, moduleFolders: options.modulesDir, ...(options.name === undefined ? {} : { name: options.name }) });
    });

const migrateCommand = (): Command =>
  new Command('migrate')
    .description("apply the modules' pending migrations to DATABASE_URL (else the embedded database), as a service does at start, and stop")
    .addHelpText('after', '\nExample:\n  $ DATABASE_URL=postgres://postgres@localhost/seam seam db migrate\n  $ SEAM_TOPOLOGY=deploy/split/topology.yaml SEAM_SERVICE=inventory DATABASE_URL=$DATABASE_URL_INVENTORY seam db migrate')
    .action(async () => {
      const { migrateDatabase } = await import('./db-migrate.js');
      const project = findProject();
      const migrated = await migrateDatabase(project, await loadApplication(project), process.env);
      console.log(`${migrated.database}: ${migrated.applied} migration(s) applied to ${migrated.modules.join(', ')}`);
    });

const provisionCommand = (): Command =>
  new Command('provision')
    .description("create or update each service's PostgreSQL role (DATABASE_URL_<SERVICE>) and hand it its modules' schemas, as DATABASE_ADMIN_URL (idempotent)")
    .option('--topology <file>', 'the topology (default: SEAM_TOPOLOGY, else the built-in monolith)')
    .addHelpText(
      'after',
      '\nExample:\n  $ DATABASE_ADMIN_URL=postgres://postgres@db/seam DATABASE_URL_SHOP=postgres://seam_shop:secret@db/seam \\\n    DATABASE_URL_INVENTORY=postgres://seam_inventory:secret@db/seam seam db provision --topology deploy/examples/inventory-extracted.yaml',
    )
    .action(async (options: { topology?: string }) => {
      const { provisionDatabase } = await import('./db-provision.js');
      const topology = options.topology ?? process.env['SEAM_TOPOLOGY'];
      await provisionDatabase(await loadApplication(findProject()), { env: process.env, ...(topology ? { topology } : {}) });
    });

const seedCommand = (): Command =>
  new Command('seed')
    .description("migrate, then load every module's sample data (idempotent)")
    .addHelpText('after', '\nExample:\n  $ DATABASE_URL=postgres://postgres@localhost/seam seam db seed')
    .action(async () => {
      const { seedAll } = await import('../../../src/host/main.js');
      const { databaseOf, pgliteInUse, pgliteState } = await import('./database.js');
      const project = findProject();
      const database = databaseOf(project, process.env);
      if (database.kind === 'pglite' && pgliteState(database.dataDir) === 'in use') throw pgliteInUse(project, database.dataDir);
      // Relative settings (PGLITE_DIR) resolve as they do for `seam dev`.
      process.chdir(project.root);
      await seedAll(await loadApplication(project));
    });

export const dbCommand = (): Command =>
  new Command('db')
    .description("the modules' data: migrations, database roles, sample data")
    .addCommand(generateCommand())
    .addCommand(migrateCommand())
    .addCommand(provisionCommand())
    .addCommand(seedCommand())
    .addHelpText('after', '\nExample:\n  $ seam db generate reviews\n  $ seam db migrate');
