/**
 * `seam extract` and `seam merge` as a user runs them (`node bin/seam.mjs` in a copy of the
 * project): --dry-run writes nothing, --undo puts the module back byte for byte, and bad
 * arguments are one line on stderr with exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { application } from '../../../src/application.js';
import { applyChanges } from '../file-changes.js';
import { mergePlan } from './plan.js';
import { scratchProject, type ScratchProject } from './scratch-project.test-support.js';

let scratch: ScratchProject;
afterEach(() => scratch?.remove());

/** A copy where inventory runs in the gateway's service again, so there is something to extract. */
const withInventoryMerged = (): ScratchProject => {
  const copy = scratchProject();
  applyChanges(mergePlan(copy.project, application, { module: 'inventory', topologyFile: copy.at('deploy/split/topology.yaml') }).changes);
  return copy;
};

describe('seam extract', { timeout: 120_000 }, () => {
  it('--dry-run prints the diff and writes nothing', async () => {
    scratch = withInventoryMerged();
    const before = scratch.snapshot();
    const ending = await scratch.seam(['extract', 'inventory', '--from', 'deploy/split/topology.yaml', '--dry-run']);

    expect(ending).toMatchObject({ code: 0, stderr: '' });
    expect(ending.stdout).toContain('--- a/deploy/split/topology.yaml\n+++ b/deploy/split/topology.yaml\n');
    expect(ending.stdout).toContain('--- /dev/null\n+++ b/deploy/split/k8s/services/inventory.yaml\n');
    expect(ending.stdout).toContain('+  inventory:\n+    <<: *service\n');
    expect(ending.stdout).toContain('--- a/deploy/observability/prometheus/split.yml\n+++ b/deploy/observability/prometheus/split.yml\n');
    expect(ending.stdout).toContain('+  - job_name: inventory\n+    metrics_path: /metrics\n+    dns_sd_configs:\n+      - names: [inventory]\n');
    expect(ending.stdout).toMatch(/dry run: nothing written/);
    expect(scratch.snapshot()).toEqual(before);
  });

  it('writes, prints the steps left, and --undo puts everything back as it was', async () => {
    scratch = withInventoryMerged();
    const before = scratch.snapshot();
    const extracted = await scratch.seam(['extract', 'inventory', '--from', 'deploy/split/topology.yaml']);

    expect(extracted).toMatchObject({ code: 0, stderr: '' });
    expect(extracted.stdout).toContain('inventory now runs in service "inventory" (it left "gateway") of deploy/split/topology.yaml:');
    expect(extracted.stdout).toContain('created deploy/split/k8s/services/inventory.yaml');
    expect(extracted.stdout).toContain('changed deploy/observability/prometheus/split.yml');
    expect(extracted.stdout).toMatch(/Provision its database role seam_inventory.*\n.*seam db provision --topology deploy\/split\/topology.yaml/);
    expect(extracted.stdout).toContain('kubectl apply -k deploy/split/k8s');
    expect(extracted.stdout).toMatch(/Verify: "inventory" answers GET \/readyz/);
    expect(scratch.snapshot()).not.toEqual(before);

    const undone = await scratch.seam(['extract', '--undo', 'inventory', '--from', 'deploy/split/topology.yaml']);
    expect(undone).toMatchObject({ code: 0, stderr: '' });
    expect(undone.stdout).toContain('inventory now runs in service "gateway"');
    expect(undone.stdout).toContain('changed deploy/observability/prometheus/split.yml');
    expect(scratch.snapshot()).toEqual(before);
  });

  it("leaves an operator's own scrape configuration alone and says what to add by hand", async () => {
    scratch = withInventoryMerged();
    const own = 'scrape_configs:\n  - job_name: seam\n    static_configs:\n      - targets: [gateway:9464, orders:9464]\n';
    writeFileSync(scratch.at('deploy/observability/prometheus/split.yml'), own);
    const extracted = await scratch.seam(['extract', 'inventory', '--from', 'deploy/split/topology.yaml']);

    expect(extracted).toMatchObject({ code: 0, stderr: '' });
    expect(extracted.stdout).toContain(
      'Note: deploy/observability/prometheus/split.yml (mounted by deploy/split/compose.yaml) has no job finding a Seam service by DNS (dns_sd_configs names: [<service>]) to copy, so it was left alone: add a scrape job for "inventory" by hand.\n',
    );
    expect(readFileSync(scratch.at('deploy/observability/prometheus/split.yml'), 'utf8')).toBe(own);
  });

  it('from the monolith by default, --dry-run shows the new topology and writes nothing', async () => {
    scratch = scratchProject();
    const before = scratch.snapshot();
    const ending = await scratch.seam(['extract', 'inventory', '--dry-run']);
    expect(ending).toMatchObject({ code: 0, stderr: '' });
    expect(ending.stdout).toContain('--- /dev/null\n+++ b/deploy/inventory-extracted.yaml\n');
    expect(ending.stdout).toMatch(/dry run: nothing written/);
    expect(scratch.snapshot()).toEqual(before);
  });

  it('from the monolith, writes a topology of its own and leaves the monolith running as it was; --undo removes it', async () => {
    scratch = scratchProject();
    const before = scratch.snapshot();
    const extracted = await scratch.seam(['extract', 'inventory']);
    expect(extracted).toMatchObject({ code: 0, stderr: '' });
    expect(extracted.stdout).toContain('created deploy/inventory-extracted.yaml');
    const after = scratch.snapshot();
    expect([...after.keys()].filter((path) => after.get(path) !== before.get(path))).toEqual(['deploy/inventory-extracted.yaml']);
    expect(after.get('deploy/inventory-extracted.yaml')).toMatch(/shop:\n {4}gateway: true\n {4}modules: \[identity, catalog, payments, shipping, orders, notifications[^\]]*\][\s\S]*inventory:\n {4}modules: \[inventory\]/);

    const undone = await scratch.seam(['extract', '--undo', 'inventory']);
    expect(undone).toMatchObject({ code: 0, stderr: '' });
    expect(undone.stdout).toContain('removed deploy/inventory-extracted.yaml');
    expect(scratch.snapshot()).toEqual(before);
  });

  it('says so when only the topology changes, no deployment beside it running it', async () => {
    scratch = scratchProject();
    const ending = await scratch.seam(['merge', 'inventory', '--from', 'deploy/examples/inventory-extracted-scaled.yaml']);
    expect(ending).toMatchObject({ code: 0, stderr: '' });
    expect(ending.stdout).toContain('No compose file or kustomize tree beside deploy/examples/inventory-extracted-scaled.yaml runs it: only the topology changed.');
  });

  it.each([
    { args: ['extract', 'Inventory'], line: /^seam: "Inventory" is not a module name/ },
    { args: ['extract', 'inventory;rm'], line: /^seam: "inventory;rm" is not a module name/ },
    { args: ['extract', 'nope'], line: /^seam: unknown module "nope" \(shop has identity, catalog, inventory/ },
    { args: ['extract', 'payments', '--from', 'deploy/split/topology.yaml'], line: /^seam: payments already runs alone in service "payments" of deploy\/split\/topology.yaml$/ },
    { args: ['extract', 'inventory', '--replicas', '0'], line: /^seam: option '--replicas <n>' argument '0' is invalid/ },
    { args: ['extract', 'inventory', '--from', 'deploy/nowhere.yaml'], line: /^seam: deploy\/nowhere.yaml does not exist: pass the topology file with --from$/ },
    { args: ['merge', 'nope'], line: /^seam: unknown module "nope"/ },
    { args: ['merge', 'inventory', '--into', 'nowhere', '--from', 'deploy/split/topology.yaml'], line: /^seam: deploy\/split\/topology.yaml has no service "nowhere"/ },
    { args: ['merge', 'inventory', '--from', 'deploy/monolith/topology.yaml'], line: /^seam: inventory does not run in a service of its own/ },
  ].map((usage) => ({ ...usage, command: usage.args.join(' ') })))('seam $command: one line, exit 2, nothing written', async ({ args, line }) => {
    scratch = scratchProject();
    const before = scratch.snapshot();
    const ending = await scratch.seam(args);
    expect(ending).toMatchObject({ code: 2, stdout: '' });
    expect(ending.stderr.trimEnd()).toMatch(line);
    expect(ending.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(scratch.snapshot()).toEqual(before);
  });

  it('a deployment it cannot extend is a failure: one line saying what to do, exit 1', async () => {
    scratch = scratchProject();
    const ending = await scratch.seam(['extract', 'inventory', '--from', 'deploy/monolith/topology.yaml', '--to', 'deploy/monolith/topology.yaml']);
    expect(ending).toMatchObject({ code: 1, stdout: '' });
    expect(ending.stderr).toMatch(/^seam: deploy\/monolith\/compose.yaml has no service that provisions .*: copy the topology to a file of its own .*\n$/);
  });
});
