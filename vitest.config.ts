import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that take a minute or more (measured in CI), started first. Without a cache, vitest
 * runs one project's files after the other's (integration, then unit), larger files first, and
 * these are small files that drive long walks and deployments: started last, they ran on after
 * every other file had finished, with one worker idle.
 */
const slowest = [
  'test/docs/first-module-walk.test.ts',
  'test/docs/migration-guide-walk.test.ts',
  'scripts/cli/new-module/new-module.test.ts',
  'scripts/cli/extract/command.test.ts',
  'test/journeys/shop.test.ts',
  'test/observability/order-trace.test.ts',
  'test/host/second-application.test.ts',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const at = slowest.findIndex((path) => file.moduleId.endsWith(path));
      return at === -1 ? slowest.length : at;
    };
    // Array.prototype.sort is stable: the rest keep vitest's own order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/** test/arch/fixtures holds files the architecture rules must reject, not tests. */
const exclude = ['test/arch/fixtures/**', 'node_modules/**'];

/**
 * The tests beside the code that need a process of their own: one replaces a module
 * (`vi.mock`), which cannot work where an earlier file has loaded the real one; one changes
 * process.env; the others start PostgreSQL and the application or its host in process, as
 * test/ does, and some of them failed when they ran after other files in one thread.
 */
const needOwnProcess = [
  'src/modules/identity/identity.service.test.ts',
  'scripts/local-servers/postgres-template.test.ts',
  'src/kernel/module-data.test.ts',
  'src/modules/identity/module.test.ts',
  'scripts/cli/dead-letters.test.ts',
  'scripts/cli/doctor.test.ts',
  'scripts/split/preflight.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Starting a split deployment (PostgreSQL, Redis and a process per service) in a beforeAll
    // can take two minutes on a busy 2-core machine: this bound is there to catch a hang.
    hookTimeout: 300_000,
    sequence: { sequencer: SlowestFirst },
    // Most test time is spent waiting on the processes a file starts (the entry point, services,
    // PostgreSQL, Redis), not on its worker. Vitest's default of one worker per core less one
    // would run one file at a time on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    env: { LOG_LEVEL: 'silent' },
    // The JavaScript the processes tests start run (test/support/test-build.ts), made once per run.
    globalSetup: ['test/support/test-build.setup.ts'],
    // In CI, also write a JSON report so .ci/run can print one summary line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/vitest-report.json' }]] : ['default'],
    projects: [
      {
        // Tests beside the code keep no state between files (no globals, no env, no module mocks):
        // they share worker threads and the modules those have loaded, instead of paying a fresh
        // process and a fresh import of hono, zod, drizzle and OpenTelemetry per file.
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'], exclude: [...exclude, ...needOwnProcess], pool: 'threads', isolate: false },
      },
      {
        // test/ drives the shop across modules, processes and servers. Its files keep no state
        // between them either (each starts and stops what it needs), so they share forked
        // workers and the modules those have loaded: a fresh import of the shop per file cost
        // about 170 s of CPU over a run.
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude, pool: 'forks', isolate: false },
      },
      {
        extends: true,
        // A process per file, as vitest isolates by default.
        test: { name: 'own-process', include: needOwnProcess, exclude, pool: 'forks' },
      },
    ],
  },
});
