/**
 * @module Topology: which services a deployment has, the modules each runs, and how many
 * replicas. One file decides whether the shop is a monolith or a set of services; the
 * business code is the same either way.
 *
 * A topology is checked against the modules the code has before anything starts: a module
 * placed twice, left out, or unknown is refused with a message saying which and where.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export interface ServiceSpec {
  /** A DNS label: it names the process, its discovery entry and its database role. */
  readonly name: string;
  /** Module names this service runs in process. */
  readonly modules: readonly string[];
  /** True when this service serves the public API (`/api/v1`). */
  readonly gateway: boolean;
  readonly replicas: number;
}

export interface Topology {
  /** Where it came from, for messages: a file path, or "built-in monolith". */
  readonly source: string;
  readonly services: readonly ServiceSpec[];
}

/** The topology is not runnable; the message says what to change. */
export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

const serviceName = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;

const fileSchema = z.strictObject({
  services: z.record(
    z.string(),
    z.strictObject({
      modules: z.array(z.string()).default([]),
      gateway: z.boolean().default(false),
      replicas: z.number().int().min(1).max(100).default(1),
    }),
  ),
});

const fail = (source: string, problems: readonly string[]): never => {
  throw new TopologyError(`Topology ${source} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
};

/** Checks what zod cannot: names, every module exactly once, a gateway somewhere. */
const problemsOf = (services: readonly ServiceSpec[], knownModules: readonly string[]): string[] => {
  const problems: string[] = [];
  if (services.length === 0) problems.push('it names no service');
  const placed = new Map<string, string>();
  for (const service of services) {
    if (!serviceName.test(service.name)) {
      problems.push(`service "${service.name}": a name must be a DNS label (lower-case letters, digits and "-", at most 40 characters)`);
    }
    if (service.modules.length === 0 && !service.gateway) problems.push(`service "${service.name}" runs no module and is not a gateway`);
    for (const module of service.modules) {
      if (!knownModules.includes(module)) {
        problems.push(`service "${service.name}" names unknown module "${module}" (known: ${knownModules.join(', ')})`);
        continue;
      }
      const first = placed.get(module);
      if (first !== undefined) problems.push(`module "${module}" is placed twice: in "${first}" and in "${service.name}"`);
      else placed.set(module, service.name);
    }
  }
  const missing = knownModules.filter((module) => !placed.has(module));
  if (missing.length > 0) problems.push(`no service runs ${missing.map((module) => `"${module}"`).join(', ')}; every module must run somewhere`);
  if (services.length > 0 && !services.some((service) => service.gateway)) problems.push('no service is the gateway (set "gateway: true" on one)');
  return problems;
};

/** Parses and checks topology text (YAML, or JSON, which is YAML too). */
export const parseTopology = (text: string, source: string, knownModules: readonly string[]): Topology => {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    return fail(source, [`it is not YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    return fail(source, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`));
  }
  const services = Object.entries(parsed.data.services).map(([name, spec]) => ({ name, ...spec }));
  const problems = problemsOf(services, knownModules);
  if (problems.length > 0) fail(source, problems);
  return { source, services };
};

/** Reads and checks the topology file at `path`. */
export const loadTopology = (path: string, knownModules: readonly string[]): Topology => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TopologyError(`Topology ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseTopology(text, path, knownModules);
};

/** One service, named after the application, running the gateway and every module: what runs without a topology file. */
export const monolithTopology = (knownModules: readonly string[], name: string): Topology => ({
  source: 'built-in monolith',
  services: [{ name, modules: [...knownModules], gateway: true, replicas: 1 }],
});

/** The service `name` of `topology`; without a name, the only service there is. */
export const selectService = (topology: Topology, name: string | undefined): ServiceSpec => {
  const names = topology.services.map((service) => service.name).join(', ');
  if (name === undefined) {
    const [only, ...others] = topology.services;
    if (only && others.length === 0) return only;
    throw new TopologyError(`Topology ${topology.source} has several services (${names}): set SEAM_SERVICE to the one this process runs`);
  }
  const service = topology.services.find((candidate) => candidate.name === name);
  if (!service) throw new TopologyError(`SEAM_SERVICE is "${name}", but topology ${topology.source} has no such service (it has ${names})`);
  return service;
};

/** The service that runs `module`. */
export const serviceRunning = (topology: Topology, module: string): ServiceSpec => {
  const service = topology.services.find((candidate) => candidate.modules.includes(module));
  if (!service) throw new TopologyError(`No service of topology ${topology.source} runs module "${module}"`);
  return service;
};

/** True when the deployment spans more than one process, so calls and events cross the network. */
export const isDistributed = (topology: Topology): boolean => topology.services.length > 1;

/** The PostgreSQL role a service connects as in a split deployment. */
export const databaseRoleOf = (service: string): string => `seam_${service.replaceAll('-', '_')}`;
