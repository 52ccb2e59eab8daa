/**
 * @module `seam topology check`: a topology checked as the host will check it at start
 * (loadTopology against the application's modules), plus what only a whole-deployment view
 * shows: exactly one gateway, and every contract a service needs provided by some service.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Application } from '../../../src/host/application.js';
import { loadTopology, monolithTopology, TopologyError, type Topology } from '../../../src/host/topology.js';

export interface TopologyCheck {
  /** The topology, when the host would load it. */
  readonly topology: Topology | undefined;
  readonly problems: readonly string[];
}

interface RawService {
  readonly name: string;
  readonly modules: readonly string[];
  readonly gateway: boolean;
}

/** The services as written, read leniently: the checks below must run even where the loader refuses. */
const rawServices = (path: string): RawService[] => {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
  const services = (raw as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null) return [];
  return Object.entries(services as Record<string, { modules?: unknown; gateway?: unknown } | null>).map(([name, spec]) => ({
    name,
    modules: Array.isArray(spec?.modules) ? spec.modules.map(String) : [],
    gateway: spec?.gateway === true,
  }));
};

/** Problems the loader does not look for. */
const deploymentProblems = (application: Application, services: readonly RawService[]): string[] => {
  const problems: string[] = [];
  const gateways = services.filter((service) => service.gateway);
  if (gateways.length > 1) problems.push(`${gateways.length} services are gateways (${gateways.map((service) => service.name).join(', ')}): exactly one serves the public API`);
  const placed = new Set(services.flatMap((service) => service.modules));
  const providerOf = new Map(application.modules.map((module) => [module.provides.id, module.name]));
  const needs = (who: string, contracts: readonly { readonly id: string }[]): void => {
    for (const contract of contracts) {
      const provider = providerOf.get(contract.id);
      if (provider === undefined) problems.push(`${who} requires contract ${contract.id}, which no module of ${application.name} provides`);
      else if (!placed.has(provider)) problems.push(`${who} requires contract ${contract.id}, but no service runs ${provider}, which provides it`);
    }
  };
  for (const service of services) {
    for (const name of service.modules) {
      const module = application.modules.find((candidate) => candidate.name === name);
      if (module) needs(`service "${service.name}" (module ${name})`, Object.values(module.requires));
    }
    if (service.gateway) needs(`service "${service.name}" (the public edge)`, Object.values(application.edge.requires));
  }
  return problems;
};

/** Checks the topology at `path`, or the built-in monolith without one. */
export const checkTopology = (application: Application, path: string | undefined): TopologyCheck => {
  const known = application.modules.map((module) => module.name);
  if (path === undefined) {
    const topology = monolithTopology(known, application.name);
    return { topology, problems: deploymentProblems(application, topology.services) };
  }
  const extra = deploymentProblems(application, rawServices(path));
  try {
    const topology = loadTopology(path, known);
    return { topology: extra.length === 0 ? topology : undefined, problems: extra };
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    const loaderProblems = error.message.split('\n').slice(1).map((line) => line.replace(/^\s*- /, ''));
    return { topology: undefined, problems: [...(loaderProblems.length > 0 ? loaderProblems : [error.message]), ...extra] };
  }
};

/** "8 services (gateway: gateway), 7 modules, 9 replicas": what an ok topology holds, in one line. */
export const summaryOf = (topology: Topology): string => {
  const gateway = topology.services.find((service) => service.gateway)?.name;
  const modules = topology.services.reduce((count, service) => count + service.modules.length, 0);
  const replicas = topology.services.reduce((count, service) => count + service.replicas, 0);
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${plural(topology.services.length, 'service')} (gateway: ${gateway}), ${plural(modules, 'module')}, ${plural(replicas, 'replica')}`;
};
