/**
 * Creates or updates the PostgreSQL role of every service of a split topology and hands each
 * its modules' schemas (idempotent: run it before every deploy).
 *
 *   DATABASE_ADMIN_URL=postgres://postgres@db/seam SEAM_TOPOLOGY=deploy/split/topology.yaml \
 *   DATABASE_URL_CATALOG=postgres://seam_catalog:secret@db/seam ... npm run db:provision
 */
import { provisionDatabaseRoles } from '../src/app/database-roles.js';
import { allModules } from '../src/app/modules.js';
import { serviceLoginsFromEnv } from '../src/app/service-logins.js';
import { loadTopology } from '../src/app/topology.js';
import { createLogger } from '../src/kernel/logger.js';

const main = async (): Promise<void> => {
  const adminUrl = process.env['DATABASE_ADMIN_URL'];
  const topologyPath = process.env['SEAM_TOPOLOGY'];
  if (!adminUrl || !topologyPath) {
    console.error('Set DATABASE_ADMIN_URL (a superuser connection) and SEAM_TOPOLOGY (the topology file).');
    process.exit(78);
  }
  const topology = loadTopology(topologyPath, allModules.map((module) => module.name));
  const logins = serviceLoginsFromEnv(topology, allModules, process.env);
  await provisionDatabaseRoles(adminUrl, logins, createLogger({ level: 'info' }));
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
