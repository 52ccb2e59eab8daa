import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['test/arch/fixtures/**', 'node_modules/**'],
    testTimeout: 60_000,
    // Starting a split deployment (PostgreSQL, Redis and a process per service) in a beforeAll
    // can take two minutes on a busy 2-core machine: this bound is there to catch a hang.
    hookTimeout: 300_000,
    pool: 'forks',
    // Most test time is spent waiting on the processes a file starts (the entry point, services,
    // PostgreSQL, Redis), not on its worker. Vitest's default of one worker per core less one
    // would run one file at a time on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    env: { LOG_LEVEL: 'silent' },
    // In CI, also write a JSON report so .ci/run can print one summary line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/vitest-report.json' }]] : ['default'],
  },
});
