/**
 * @module The image's role provisioning job (`node dist/scripts/provision-database.js`, as the
 * compose and kustomize `db-provision` entries run it): `seam db provision` with the topology
 * in SEAM_TOPOLOGY, for images that run the compiled scripts rather than the CLI.
 *
 *   DATABASE_ADMIN_URL=postgres://postgres@db/seam SEAM_TOPOLOGY=deploy/split/topology.yaml \
 *   DATABASE_URL_CATALOG=postgres://seam_catalog:secret@db/seam ... node dist/scripts/provision-database.js
 */
import { endingOf } from './cli/cli-errors.js';
import { operatorEnding } from './cli/commands/operator-errors.js';
import { provisionDatabase } from './cli/commands/db-provision.js';
import { findProject, loadApplication } from './cli/project.js';

try {
  const topology = process.env['SEAM_TOPOLOGY'];
  await provisionDatabase(await loadApplication(findProject()), { env: process.env, ...(topology ? { topology } : {}) });
} catch (error) {
  const { line, exitCode } = operatorEnding(error) ?? endingOf(error);
  console.error(line);
  process.exitCode = exitCode;
}
