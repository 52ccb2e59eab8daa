/**
 * @module The process `seam new module` starts to record a new module's snapshots (its
 * contract's and the public API's, as `seam contracts snapshot` then `seam api snapshot`
 * would), in the project it runs in. One process loads the application once: the two `seam`
 * processes it replaces loaded it twice, about 3.5 s of CPU each. Ends as the CLI does: a
 * failure is one `seam: ...` line on stderr and its exit code.
 */
import { snapshotContracts } from '../../contracts.js';
import { snapshotApi } from '../../public-api.js';
import { printReport } from '../../snapshot-command.js';
import { endingOf } from '../cli-errors.js';
import { findProject, loadApplication } from '../project.js';

try {
  const project = findProject();
  const application = await loadApplication(project);
  const options = { dir: project.contractsDir, force: false };
  printReport(await snapshotContracts(project, application, options));
  printReport(await snapshotApi(project, application, options));
} catch (error) {
  const { line, exitCode } = endingOf(error);
  console.error(line);
  process.exitCode = exitCode;
}
