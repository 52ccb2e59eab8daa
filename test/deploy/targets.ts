/**
 * @module The two deployments the deploy/ files describe, each with the topology it runs, so
 * the checks compare every deployment file against the topology rather than against a copy
 * of it.
 */
import { join } from 'node:path';
import { application } from '../../src/application.js';
import { isDistributed, loadTopology, type Topology } from '../../src/host/topology.js';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Where deploy/Dockerfile puts the repository inside the image (its WORKDIR). */
export const imageRoot = '/app';

/** Every service listens here (PORT) and the image EXPOSEs it. */
export const servicePort = 3000;

/** The Kubernetes namespace both kustomizations deploy into. */
export const namespace = 'seam';

/** The one-shot command that creates each split service's database role. */
export const provisionCommand = ['node', '--enable-source-maps', 'dist/scripts/provision-database.js'] as const;

export interface Target {
  readonly name: 'monolith' | 'split';
  /** Repository-relative, e.g. deploy/split. */
  readonly dir: string;
  /** Repository-relative, e.g. deploy/split/topology.yaml. */
  readonly topologyFile: string;
  readonly topology: Topology;
  /** Several services: they discover each other, share Redis and have a database role each. */
  readonly split: boolean;
  /** Services a HorizontalPodAutoscaler must scale. */
  readonly autoscaled: readonly string[];
}

const autoscaled: Record<Target['name'], readonly string[]> = {
  monolith: ['shop'],
  // catalog serves every product page, orders runs checkout: the two that take the load.
  split: ['catalog', 'orders'],
};

export const loadTarget = (name: Target['name']): Target => {
  const dir = `deploy/${name}`;
  const topologyFile = `${dir}/topology.yaml`;
  const topology = loadTopology(join(repoRoot, topologyFile), application.modules.map((module) => module.name));
  return { name, dir, topologyFile, topology, split: isDistributed(topology), autoscaled: autoscaled[name] };
};

