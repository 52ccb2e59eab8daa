/**
 * @module What the tests of the deployment-file checks share: both deployments, a deep copy
 * of their files to break, a topology with other replicas, and the shape of a breakage (a
 * copy broken one way, and the problem the checks must report for it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { application } from '../../src/application.js';
import { parseTopology } from '../../src/host/topology.js';
import { loadTarget, repoRoot, type Target } from './targets.js';

export const targets = { monolith: loadTarget('monolith'), split: loadTarget('split') } as const;
export const allTargets = Object.values(targets);

/** A deep copy that shares nothing, not even what YAML aliases made one object. */
export const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A topology like `target`'s with service `name` at `replicas`, to show the checks read the topology. */
export const withReplicas = (target: Target, name: string, replicas: number): Target => {
  const text = readFileSync(join(repoRoot, target.topologyFile), 'utf8').replace(new RegExp(`(\\n  ${name}:\\n(?:    .*\\n)*?    replicas:) \\d+`), `$1 ${replicas}`);
  const topology = parseTopology(text, target.topologyFile, application.modules.map((module) => module.name));
  expect(topology.services.find((service) => service.name === name)?.replicas).toBe(replicas);
  return { ...target, topology };
};

/** A copy of a deployment's files (`T`) broken one way, and the problem the checks must report. */
export interface Breakage<T> {
  readonly name: string;
  readonly target: keyof typeof targets;
  readonly mutate: (input: T) => void;
  readonly expected: RegExp;
}
