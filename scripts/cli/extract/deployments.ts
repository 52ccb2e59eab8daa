/**
 * @module The deployments beside a topology file that run it: a compose file in the same
 * folder, and kustomize trees in its subfolders (k8s/, k8s-<name>/), each counted only when
 * its SEAM_TOPOLOGY names this very file. A deployment of another topology is left alone.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ComposeFile } from './compose-file.js';
import type { DeploymentEditor } from './deployment-editor.js';
import { KustomizeDeployment } from './kustomize-deployment.js';
import { KustomizeTree } from './kustomize-tree.js';
import type { TopologyFile } from './topology-file.js';
import type { YamlFiles } from './yaml-files.js';

const composeNames = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** True when `text` sets SEAM_TOPOLOGY to `topology` (relative to the project), wherever the image keeps the project. */
const runs = (text: string, topology: string): boolean =>
  [...text.matchAll(/SEAM_TOPOLOGY:\s*["']?([^\s"'#]+)/g)].some(([, value]) => value === topology || value?.endsWith(`/${topology}`));

const yamlFilesUnder = (dir: string, depth: number): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return depth > 0 ? yamlFilesUnder(path, depth - 1) : [];
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });

export interface DeploymentSearch {
  readonly files: YamlFiles;
  readonly projectRoot: string;
  readonly topology: TopologyFile;
  readonly settingsPrefixes: ReadonlyMap<string, string>;
}

/** Editors for every deployment beside the topology that runs it; a deployment that cannot be edited fails here, before any edit. */
export const deploymentsOf = ({ files, projectRoot, topology, settingsPrefixes }: DeploymentSearch): DeploymentEditor[] => {
  const dir = dirname(topology.path);
  const topologyPath = relative(projectRoot, topology.path);
  const editors: DeploymentEditor[] = [];
  for (const name of composeNames) {
    const path = join(dir, name);
    if (existsSync(path) && runs(readFileSync(path, 'utf8'), topologyPath)) editors.push(new ComposeFile(files, path, topology, settingsPrefixes));
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const tree = join(dir, entry.name);
    if (!entry.isDirectory() || !existsSync(join(tree, 'kustomization.yaml'))) continue;
    const mine = yamlFilesUnder(tree, 2).some((path) => statSync(path).isFile() && runs(readFileSync(path, 'utf8'), topologyPath));
    if (mine) editors.push(new KustomizeDeployment(new KustomizeTree(files, tree), topology, settingsPrefixes));
  }
  return editors;
};
