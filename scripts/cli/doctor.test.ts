/**
 * `seam doctor` against a real PostgreSQL: pending migrations fail with a fix, every check
 * passes once migrated, and a DATABASE_URL at a closed port fails the database check with a
 * fix line and exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/host/application.js';
import { freePort } from '../local-servers/child-process.js';
import { startPostgres, type PostgresServer } from '../local-servers/postgres-server.js';
import { migrateDatabase } from './commands/db-migrate.js';
import { runChecks, type CheckResult } from './commands/doctor-checks.js';
import { satisfiesRange } from './commands/node-version.js';
import { findProject, loadApplication, type Project } from './project.js';
import { repositoryRoot, seam } from './seam-process.test-support.js';

let postgres: PostgresServer;
let project: Project;
let application: Application;

beforeAll(async () => {
  postgres = await startPostgres();
  project = findProject(repositoryRoot);
  application = await loadApplication(project);
});

afterAll(async () => {
  await postgres?.stop();
});

const check = (results: readonly CheckResult[], name: string): CheckResult | undefined => results.find((result) => result.name === name);

describe('seam doctor', { timeout: 60_000 }, () => {
  it('fails on pending migrations naming the fix, and passes every check once migrated', async () => {
    const env = { DATABASE_URL: postgres.url };
    const before = await runChecks(project, application, env);
    expect(check(before, 'database')).toMatchObject({ status: 'ok' });
    expect(check(before, 'migrations')).toMatchObject({ status: 'FAIL', fix: expect.stringContaining('seam db migrate') });

    const migrated = await migrateDatabase(project, application, env);
    expect(migrated.modules).toHaveLength(application.modules.length);

    const after = await runChecks(project, application, env);
    expect(after.map((result) => result.name)).toEqual(['node', 'configuration', 'topology', 'database', 'migrations', 'redis', 'contracts']);
    expect(after.filter((result) => result.status === 'FAIL')).toEqual([]);
    expect(check(after, 'migrations')).toMatchObject({ status: 'ok', detail: `none pending for ${application.modules.length} modules` });
    expect(check(after, 'redis')).toMatchObject({ status: 'skip' });
  });

  it('reports a closed port as FAIL with a fix line, and exits 1', async () => {
    const port = await freePort();
    const ending = await seam(['doctor'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/seam` });
    expect(ending.code).toBe(1);
    const lines = ending.stdout.split('\n');
    const failed = lines.findIndex((line) => line.startsWith('FAIL  database'));
    expect(lines[failed]).toContain(`127.0.0.1:${port}`);
    expect(lines[failed + 1]).toBe(`      fix: start PostgreSQL at 127.0.0.1:${port}, or point DATABASE_URL at a running server (unset it for the embedded database)`);
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}node /));
    expect(ending.stderr).toBe('seam: 1 check(s) failed: apply the fix lines above, then run seam doctor again\n');
  });

  it('reads engines ranges as npm writes them', () => {
    expect(satisfiesRange('v20.19.0', '>=20.19')).toBe(true);
    expect(satisfiesRange('v20.18.3', '>=20.19')).toBe(false);
    expect(satisfiesRange('v24.1.0', '^22 || ^24')).toBe(true);
    expect(satisfiesRange('v23.0.0', '^22 || ^24')).toBe(false);
    expect(satisfiesRange('v22.3.0', '>= 20.19 < 23')).toBe(true);
    expect(satisfiesRange('v22.3.0', 'lts/*')).toBeUndefined();
  });
});
