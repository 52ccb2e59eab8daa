import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { application as shop } from '../../../src/application.js';
import type { Application } from '../../../src/host/application.js';
import { scratchProject } from '../extract/scratch-project.test-support.js';
import type { Project } from '../project.js';
import { placeModule, topologyFiles } from './placement.js';

const temporaries: string[] = [];
afterEach(() => {
  for (const dir of temporaries.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project whose deploy folder holds `files` (path → text). */
const projectWith = (files: Record<string, string>): Project => {
  const root = mkdtempSync(join(tmpdir(), 'seam-placement-'));
  temporaries.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, 'deploy', path, '..'), { recursive: true });
    writeFileSync(join(root, 'deploy', path), text);
  }
  const at = (path: string) => join(root, path);
  return { root, applicationFile: at('src/application.ts'), mainFile: at('src/main.ts'), modulesDir: at('src/modules'), apiDir: at('src/api'), deployDir: at('deploy'), contractsDir: at('contracts') };
};

// Joining a service reads no module declaration; only an extraction would.
const application = { name: 'shop', modules: [], edge: undefined } as unknown as Application;

const monolith = `# one process
services:
  shop:
    gateway: true
    modules: [catalog, orders] # in seeding order
`;
const blockStyle = `services:
  shop:
    gateway: true
    modules:
      - catalog
      - orders # last
    replicas: 2
  inventory:
    modules: [inventory]
`;
const compose = `services:
  shop:
    image: seam:latest
    environment: { SEAM_SERVICE: shop }
`;

describe('placing a new module', () => {
  it('finds the topology files under deploy/, not the compose or other YAML there', () => {
    const project = projectWith({ 'monolith/topology.yaml': monolith, 'monolith/compose.yaml': compose, 'k8s/config.yaml': 'kind: ConfigMap\n' });
    expect(topologyFiles(project)).toEqual([join(project.deployDir, 'monolith', 'topology.yaml')]);
  });

  it("joins the gateway's service in a monolith, keeping the list's style and the comments", () => {
    const project = projectWith({ 'topology.yaml': monolith });
    const placement = placeModule(project, application, 'reviews', join(project.deployDir, 'topology.yaml'));
    expect(placement.summary).toBe('deploy/topology.yaml: reviews runs in service "shop"');
    expect(placement.changes.map((change) => change.after)).toEqual([monolith.replace('[catalog, orders]', '[catalog, orders, reviews]')]);
  });

  it('joins it in a block list too, where modules were extracted from the gateway', () => {
    const project = projectWith({ 'topology.yaml': blockStyle });
    const [change] = placeModule(project, application, 'reviews', join(project.deployDir, 'topology.yaml')).changes;
    expect(change?.after).toBe(blockStyle.replace('      - orders # last\n', '      - orders # last\n      - reviews\n'));
  });

  it('runs it as a service of its own in a split, which Prometheus scrapes like the others', () => {
    const scratch = scratchProject();
    temporaries.push(scratch.root);
    const inventory = shop.modules.find((module) => module.name === 'inventory');
    if (!inventory) throw new Error('the shop has an inventory module');
    // A name no application of this repository has, so the test holds after `seam new module` too.
    const withProbe: Application = { ...shop, modules: [...shop.modules, { ...inventory, name: 'placement_probe', schema: 'placement_probe' }] };
    const placement = placeModule(scratch.project, withProbe, 'placement_probe', scratch.at('deploy/split/topology.yaml'));

    expect(placement.summary).toBe('deploy/split/topology.yaml: placement_probe runs as service "placement-probe"');
    expect(placement.notes).toEqual([]);
    const scrape = placement.changes.find((change) => change.path === scratch.at('deploy/observability/prometheus/split.yml'));
    const jobs = (parse(scrape?.after ?? '') as { scrape_configs: { job_name: string }[] }).scrape_configs;
    expect(jobs.at(-1)).toEqual({ job_name: 'placement-probe', metrics_path: '/metrics', dns_sd_configs: [{ names: ['placement-probe'], type: 'A', port: 9464, refresh_interval: '15s' }] });
  });
});
