/**
 * The Kubernetes examples the migration guide points at run the topology it extracts
 * (deploy/examples/inventory-extracted.yaml), not deploy/split's: rendered with kustomize as
 * `kubectl apply -k` would send them, and held to every rule test/deploy holds deploy/split
 * and deploy/monolith to.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { application } from '../../src/application.js';
import { loadTopology } from '../../src/host/topology.js';
import { checkKubernetes, kubectlAvailable, type Resource } from '../deploy/kubernetes.js';
import { repoRoot, type Target } from '../deploy/targets.js';

const topologyFile = 'deploy/examples/inventory-extracted.yaml';
const topology = loadTopology(join(repoRoot, topologyFile), application.modules.map((module) => module.name));

/** A kustomization under deploy/examples/ as a deployment of the extracted topology, `autoscaled` naming the services an HPA scales. */
const example = (dir: string, autoscaled: readonly string[]): Target => ({ name: 'split', dir, topologyFile, topology, split: true, autoscaled });

const render = (dir: string): Resource[] =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', join(repoRoot, dir)], { encoding: 'utf8' })).map((document) => document.toJS() as Resource);

describe.skipIf(!kubectlAvailable())('Kubernetes examples of the extracted topology', () => {
  it.each([
    { dir: 'deploy/examples/k8s-inventory-extracted', autoscaled: [] },
    { dir: 'deploy/examples/k8s-inventory-hpa', autoscaled: ['inventory'] },
  ])('$dir deploys every service of the extracted topology as it asks', ({ dir, autoscaled }) => {
    const resources = render(dir);
    expect(checkKubernetes(resources, example(dir, autoscaled))).toEqual([]);
    const deployments = resources.filter((resource) => resource.kind === 'Deployment').map((resource) => resource.metadata?.name);
    expect(deployments.sort()).toEqual(topology.services.map((service) => service.name).sort());
  });

  it('the checks see these manifests: a Deployment of deploy/split would be refused', () => {
    const resources = render('deploy/examples/k8s-inventory-extracted');
    resources.push({ ...resources.find((resource) => resource.kind === 'Deployment')!, metadata: { name: 'catalog', namespace: 'seam' } });
    expect(checkKubernetes(resources, example('deploy/examples/k8s-inventory-extracted', []))).toContain(`Deployment "catalog" is no service of ${topologyFile}`);
  });
});
