/**
 * Proves the architecture rules hold on src/ and that every rule can fail: a fixture tree
 * commits each violation once, and the real config must report each against its file.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import config from '../../.dependency-cruiser.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const fixtureRoot = join(import.meta.dirname, 'fixtures');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');
const configPath = join(root, '.dependency-cruiser.js');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}
interface CruiseSummary {
  readonly violations: Violation[];
}
interface CruiseOutput {
  readonly summary: CruiseSummary;
  readonly modules: { readonly source: string }[];
}

const cruise = async (cwd: string): Promise<CruiseSummary & Pick<CruiseOutput, 'modules'>> => {
  const { stdout } = await run(depcruise, ['src', '--config', configPath, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 });
  const output = JSON.parse(stdout) as CruiseOutput;
  return { ...output.summary, modules: output.modules };
};

const expectedViolations: Record<string, string> = {
  'no-circular': 'src/modules/alpha/cycle-a.ts',
  'framework-to-application': 'src/host/imports-the-application.ts',
  'kernel-to-outer-layers': 'src/kernel/imports-transport.ts',
  'transport-to-non-kernel': 'src/transport/imports-a-module-contract.ts',
  'module-to-transport-gateway-or-host': 'src/modules/beta/imports-transport.ts',
  'module-to-foreign-internals': 'src/modules/beta/imports-foreign-internals.ts',
  'module-to-foreign-schema': 'src/modules/beta/imports-foreign-schema.ts',
  'api-to-module-internals': 'src/api/imports-module-internals.ts',
  'edge-to-transport-or-host': 'src/api/imports-transport.ts',
  'contract-to-non-contract': 'src/modules/beta/contract.ts',
  'domain-to-transport-packages': 'src/modules/beta/imports-hono.ts',
  'not-to-unresolvable': 'src/modules/alpha/imports-a-missing-file.ts',
};

describe('architecture rules', () => {
  it('has a fixture for every rule in the config, and no fixture for a rule that is gone', () => {
    const ruleNames = (config.forbidden ?? []).map((rule) => rule.name).sort();
    expect(Object.keys(expectedViolations).sort()).toEqual(ruleNames);
  });

  it('reports every rule against the fixture file that breaks it', async () => {
    const summary = await cruise(fixtureRoot);
    for (const [rule, file] of Object.entries(expectedViolations)) {
      const hits = summary.violations.filter((violation) => violation.rule.name === rule).map((violation) => violation.from);
      expect(hits, `rule ${rule}`).toContain(file);
    }
  });

  it('lets a module and the public routes import another module contract', async () => {
    const summary = await cruise(fixtureRoot);
    const allowed = summary.violations.filter((violation) => violation.from.endsWith('uses-alpha-contract.ts'));
    expect(allowed).toEqual([]);
  });

  it('finds no violation in src/, after cruising every source file', async () => {
    const summary = await cruise(root);
    expect(summary.violations).toEqual([]);
    // A broken TypeScript set-up cruises nothing and reports "no violations"; guard that.
    const sourceFiles = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
    );
    expect(sourceFiles.length).toBeGreaterThan(10);
    expect(summary.modules.filter((module) => module.source.startsWith('src/')).length).toBe(sourceFiles.length);
  });

  it('fails check:arch with a message naming the rule', async () => {
    const failure = await run(depcruise, ['src', '--config', configPath], { cwd: fixtureRoot }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBeGreaterThan(0);
    expect(failure?.stdout).toContain('error module-to-foreign-internals: src/modules/beta/imports-foreign-internals.ts');
  });
});
