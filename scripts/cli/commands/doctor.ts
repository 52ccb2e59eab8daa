/**
 * @module `seam doctor`: one line per check (ok, FAIL or skip), a `fix:` line under each
 * failure, and exit 1 if any failed.
 */
import { Command } from 'commander';
import { CliFailure } from '../cli-errors.js';
import { findProject, loadApplication } from '../project.js';
import type { CheckResult } from './doctor-checks.js';

/** The lines `results` print as. */
export const doctorLines = (results: readonly CheckResult[]): string[] =>
  results.flatMap((result) => [`${result.status.padEnd(4)}  ${result.name.padEnd(13)} ${result.detail}`, ...(result.fix === undefined ? [] : [`      fix: ${result.fix}`])]);

export const doctorCommand = (): Command =>
  new Command('doctor')
    .description('check what a service needs here: Node version, configuration, topology, database and pending migrations, Redis, contract snapshots')
    .addHelpText('after', '\nExample:\n  $ seam doctor\n  $ DATABASE_URL=postgres://postgres@localhost/seam SEAM_TOPOLOGY=deploy/split/topology.yaml REDIS_URL=redis://localhost:6379 seam doctor')
    .action(async () => {
      const { runChecks } = await import('./doctor-checks.js');
      const project = findProject();
      const results = await runChecks(project, await loadApplication(project), process.env);
      for (const line of doctorLines(results)) console.log(line);
      const failures = results.filter((result) => result.status === 'FAIL').length;
      if (failures > 0) throw new CliFailure(`${failures} check(s) failed: apply the fix lines above, then run seam doctor again`);
    });
