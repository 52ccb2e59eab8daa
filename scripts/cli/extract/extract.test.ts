/**
 * `seam extract` and `seam merge` as library calls on a copy of deploy/: what they write is
 * checked with the repository's own deployment checks (test/deploy), Prometheus's scrape jobs
 * included, and kustomize renders it.
 * The split has every module alone already, so each test first merges one back to have
 * something to extract.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { application } from '../../../src/application.js';
import type { Application } from '../../../src/host/application.js';
import { loadTopology } from '../../../src/host/topology.js';
import { checkCompose, type ComposeFile } from '../../../test/deploy/compose.js';
import { checkKubernetes, type Resource } from '../../../test/deploy/kubernetes.js';
import { checkScrapeConfig, type PrometheusConfig } from '../../../test/deploy/observability-compose.js';
import type { Target } from '../../../test/deploy/targets.js';
import { CliFailure } from '../cli-errors.js';
import { applyChanges } from '../file-changes.js';
import { extractionPlan, mergePlan } from './plan.js';
import { kubectlAvailable, kustomize, scratchProject, type ScratchProject } from './scratch-project.test-support.js';

const split = 'deploy/split/topology.yaml';
const examples = 'deploy/examples/inventory-extracted.yaml';
const kubectl = kubectlAvailable();

let scratch: ScratchProject;
afterEach(() => scratch?.remove());

const merge = (module: string, topologyFile = split, app: Application = application): void =>
  applyChanges(mergePlan(scratch.project, app, { module, topologyFile: scratch.at(topologyFile) }).changes);

const extract = (module: string, topologyFile = split, replicas = 1, app: Application = application) => {
  const plan = extractionPlan(scratch.project, app, { module, topologyFile: scratch.at(topologyFile), replicas });
  applyChanges(plan.changes);
  return plan;
};

/** What test/deploy's checks take: the copy's topology, under the path its files name it by. */
const targetOf = (topologyFile: string, autoscaled: readonly string[], app: Application = application): Target => ({
  name: 'split',
  dir: dirname(topologyFile),
  topologyFile,
  topology: loadTopology(scratch.at(topologyFile), app.modules.map((module) => module.name)),
  split: true,
  autoscaled,
});

const composeOf = (path: string): ComposeFile => parse(readFileSync(scratch.at(path), 'utf8'), { merge: true }) as ComposeFile;
/** The copy's split compose file and the scrape configuration its prometheus mounts, checked together. */
const splitScrapeProblems = (target: Target): string[] => {
  const config = parse(readFileSync(scratch.at('deploy/observability/prometheus/split.yml'), 'utf8')) as PrometheusConfig;
  return checkScrapeConfig(config, composeOf('deploy/split/compose.yaml'), target);
};
const scrapeJobNames = (): string[] =>
  ((parse(readFileSync(scratch.at('deploy/observability/prometheus/split.yml'), 'utf8')) as PrometheusConfig).scrape_configs ?? []).map((job) => job.job_name ?? '');
const find = (resources: readonly Resource[], kind: string, name: string): Resource | undefined =>
  resources.find((resource) => resource.kind === kind && resource.metadata?.name === name);
const envNames = (deployment: Resource | undefined): string[] =>
  ((deployment?.spec as { template: { spec: { containers: { env: { name: string }[] }[] } } } | undefined)?.template.spec.containers[0]?.env ?? []).map((variable) => variable.name);

describe('seam extract on a copy of deploy/split', () => {
  it.each([1, 3])('moves inventory into a service of its own with %i replicas: topology, compose service, Kubernetes resources', (replicas) => {
    scratch = scratchProject();
    merge('inventory');
    const plan = extract('inventory', split, replicas);

    expect(plan).toMatchObject({ service: 'inventory', other: 'gateway', deployments: ['deploy/split/compose.yaml', 'deploy/split/k8s'] });
    const target = targetOf(split, ['catalog', 'orders', 'inventory']);
    expect(target.topology.services.find((service) => service.name === 'inventory')).toEqual({ name: 'inventory', modules: ['inventory'], gateway: false, replicas });
    expect(target.topology.services.find((service) => service.gateway)?.modules).toEqual([]);
    const compose = composeOf('deploy/split/compose.yaml');
    expect(compose.services?.['inventory']?.deploy?.replicas ?? 1).toBe(replicas);
    expect(checkCompose(compose, target)).toEqual([]);
    expect(scrapeJobNames().at(-1)).toBe('inventory');
    expect(splitScrapeProblems(target)).toEqual([]);
    if (!kubectl) return;
    const resources = kustomize<Resource>(scratch.at('deploy/split/k8s'));
    expect(find(resources, 'Deployment', 'inventory')).toBeDefined();
    expect(find(resources, 'Service', 'inventory')?.spec).toMatchObject({ clusterIP: 'None' });
    expect(find(resources, 'HorizontalPodAutoscaler', 'inventory')?.spec).toMatchObject({ minReplicas: replicas, scaleTargetRef: { name: 'inventory' } });
    expect(find(resources, 'Secret', 'seam-secrets')?.stringData?.['DATABASE_URL_INVENTORY']).toMatch(/^postgres:\/\/seam_inventory:change-me-inventory@/);
    expect(checkKubernetes(resources, target)).toEqual([]);
  });

  it.each([{ into: undefined, expected: 'gateway' }, { into: 'orders', expected: 'orders' }])('merge puts inventory into $expected and leaves a deployment the checks accept', ({ into, expected }) => {
    scratch = scratchProject();
    const plan = mergePlan(scratch.project, application, { module: 'inventory', topologyFile: scratch.at(split), into });
    applyChanges(plan.changes);

    expect(plan.other).toBe(expected);
    const target = targetOf(split, ['catalog', 'orders']);
    expect(target.topology.services.find((service) => service.name === expected)?.modules).toContain('inventory');
    expect(target.topology.services.map((service) => service.name)).not.toContain('inventory');
    expect(checkCompose(composeOf('deploy/split/compose.yaml'), target)).toEqual([]);
    expect(scrapeJobNames()).not.toContain('inventory');
    expect(splitScrapeProblems(target)).toEqual([]);
    if (!kubectl) return;
    const resources = kustomize<Resource>(scratch.at('deploy/split/k8s'));
    expect(find(resources, 'Deployment', 'inventory')).toBeUndefined();
    expect(checkKubernetes(resources, target)).toEqual([]);
  });

  it('then merge gives back byte-identical files', () => {
    scratch = scratchProject();
    merge('inventory');
    const before = scratch.snapshot();
    extract('inventory');
    const scrapeFile = 'deploy/observability/prometheus/split.yml';
    expect(scratch.snapshot().get(scrapeFile)).not.toBe(before.get(scrapeFile));
    merge('inventory');
    expect(scratch.snapshot()).toEqual(before);
  });

  it('merges into the service the module came from, as the topology records it', () => {
    scratch = scratchProject();
    merge('inventory');
    merge('payments'); // into the gateway, which then runs inventory and payments
    extract('payments');
    expect(readFileSync(scratch.at(split), 'utf8')).toContain('# Extracted from "gateway" by seam extract');
    const plan = mergePlan(scratch.project, application, { module: 'payments', topologyFile: scratch.at(split) });
    expect(plan.other).toBe('gateway');
  });

  it("carries a module's own settings along: identity's ADMIN_PASSWORD", () => {
    scratch = scratchProject();
    merge('identity');
    extract('identity');
    expect(Object.keys(composeOf('deploy/split/compose.yaml').services?.['identity']?.environment ?? {})).toContain('ADMIN_PASSWORD');
    if (!kubectl) return;
    expect(envNames(find(kustomize<Resource>(scratch.at('deploy/split/k8s')), 'Deployment', 'identity'))).toContain('ADMIN_PASSWORD');
  });

  it('places a module no service runs yet as a service of its own, as seam new module does', () => {
    scratch = scratchProject();
    const inventory = application.modules.find((module) => module.name === 'inventory');
    if (!inventory) throw new Error('the shop has an inventory module');
    // A name no application of this repository has, so the test holds after `seam new module` too.
    const probe = 'placement_probe';
    const withProbe: Application = { ...application, modules: [...application.modules, { ...inventory, name: probe, schema: probe }] };
    const plan = extract(probe, split, 1, withProbe);

    expect(plan.other).toBeUndefined();
    const target = targetOf(split, ['catalog', 'orders', 'placement-probe'], withProbe);
    expect(target.topology.services.find((service) => service.name === 'placement-probe')?.modules).toEqual([probe]);
    expect(checkCompose(composeOf('deploy/split/compose.yaml'), target)).toEqual([]);
    expect(scrapeJobNames().at(-1)).toBe('placement-probe');
    expect(splitScrapeProblems(target)).toEqual([]);
    if (!kubectl) return;
    expect(checkKubernetes(kustomize<Resource>(scratch.at('deploy/split/k8s')), target)).toEqual([]);
  });
});

describe('seam extract elsewhere', () => {
  it.skipIf(!kubectl)("a tree without hpa.yaml (deploy/examples): the autoscaler goes into the service's own file", () => {
    scratch = scratchProject();
    merge('inventory', examples);
    const plan = extract('identity', examples, 2);

    expect(plan.deployments).toEqual(['deploy/examples/k8s-inventory-extracted']);
    const file = parseAllDocuments(readFileSync(scratch.at('deploy/examples/k8s-inventory-extracted/identity.yaml'), 'utf8')).map((document) => document.toJS() as Resource);
    expect(file.map((resource) => `${resource.kind} ${resource.metadata?.name}`)).toEqual(['Deployment identity', 'Service identity', 'HorizontalPodAutoscaler identity']);
    const resources = kustomize<Resource>(scratch.at('deploy/examples/k8s-inventory-extracted'));
    expect(checkKubernetes(resources, targetOf(examples, ['identity']))).toEqual([]);
  });

  it('refuses a deployment that runs its topology as one process, and writes nothing', () => {
    scratch = scratchProject();
    const before = scratch.snapshot();
    expect(() => extract('inventory', 'deploy/monolith/topology.yaml')).toThrow(CliFailure);
    expect(() => extract('inventory', 'deploy/monolith/topology.yaml')).toThrow(/deploy\/monolith\/compose.yaml .* runs its topology as one process/);
    expect(scratch.snapshot()).toEqual(before);
  });

  it('changes only the topology where no deployment beside it runs it', () => {
    scratch = scratchProject();
    const scaled = 'deploy/examples/inventory-extracted-scaled.yaml';
    const plan = mergePlan(scratch.project, application, { module: 'inventory', topologyFile: scratch.at(scaled) });
    expect(plan.deployments).toEqual([]);
    expect(plan.changes.map((change) => change.path)).toEqual([scratch.at(scaled)]);
  });
});
