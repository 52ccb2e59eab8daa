/**
 * Creates or updates the PostgreSQL role of every service of a split topology and hands each
 * its modules' schemas (idempotent: run it before every deploy).
 *
 *   DATABASE_ADMIN_URL=postgres://postgres@db/seam SEAM_TOPOLOGY=deploy/split/topology.yaml \
 *   DATABASE_URL_CATALOG=postgres://seam_catalog:secret@db/seam ... npm run db:provision
 */
import { provisionDatabaseRoles } from '../src/host/database-roles.js';
import { application } from '../src/application.js';
import { serviceLoginsFromEnv } from '../src/host/service-logins.js';
import { loadTopology } from '../src/host/topology.js';
import { createLogger } from '../src/kernel/logger.js';

const main = async (): Promise<void> => {
  const adminUrl = process.env['DATABASE_ADMIN_URL'];
  const topologyPath = process.env['SEAM_TOPOLOGY'];
  if (!adminUrl || !topologyPath) {
    console.error('Set DATABASE_ADMIN_URL (a superuser connection) and SEAM_TOPOLOGY (the topology file).');
    process.exit(78);
  }
  const topology = loadTopology(topologyPath, application.modules.map((module) => module.name));
  const logins = serviceLoginsFromEnv(topology, application.modules, process.env);
  await provisionDatabaseRoles(adminUrl, logins, createLogger({ level: 'info' }));
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
