/**
 * @module Who calls whom, read from the modules' own declarations: a contract call for each
 * `requires` (the public edge's, and a seed's, marked), an event flow for each `subscribes`.
 * Drawn between modules for the dashboard, and between the services of a topology for
 * `seam topology graph`, so both show the one picture the code declares.
 */
import type { Application } from './application.js';
import type { Topology } from './topology.js';

/** The caller of the public edge's contract calls (a space, so no module can be named so). */
export const publicEdge = 'public edge';

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** A contract call (labelled with contract ids), or an event flow (labelled with event names). */
  readonly kind: 'call' | 'event';
  readonly labels: readonly string[];
}

export interface TopologyGraph {
  readonly services: Topology['services'];
  readonly edges: readonly GraphEdge[];
}

/** Edges keyed by kind and ends, each label once; an edge from a node to itself is left out. */
const edgeCollector = () => {
  const edges = new Map<string, { from: string; to: string; kind: GraphEdge['kind']; labels: Set<string> }>();
  return {
    add(from: string | undefined, to: string | undefined, kind: GraphEdge['kind'], label: string): void {
      if (from === undefined || to === undefined || from === to) return;
      const key = `${kind} ${from} ${to}`;
      const edge = edges.get(key) ?? { from, to, kind, labels: new Set<string>() };
      edge.labels.add(label);
      edges.set(key, edge);
    },
    sorted(order: (node: string) => number): GraphEdge[] {
      const sorted = [...edges.values()].sort((one, other) => order(one.from) - order(other.from) || order(one.to) - order(other.to) || one.kind.localeCompare(other.kind));
      return sorted.map((edge) => ({ ...edge, labels: [...edge.labels].sort() }));
    },
  };
};

/**
 * The calls and event flows between the application's modules, the public edge's calls
 * coming from `publicEdge`; in the order the application lists its modules.
 */
export const moduleGraph = (application: Application): GraphEdge[] => {
  const providerOf = new Map(application.modules.map((module) => [module.provides.id, module.name]));
  const edges = edgeCollector();
  for (const module of application.modules) {
    for (const contract of Object.values(module.requires)) edges.add(module.name, providerOf.get(contract.id), 'call', contract.id);
    // Its sample-data seed calls these too (the caller permissions allow it), only while seeding.
    for (const contract of module.seed?.requires ?? []) edges.add(module.name, providerOf.get(contract.id), 'call', `${contract.id} (seed)`);
    for (const subscription of module.subscribes ?? []) edges.add(providerOf.get(subscription.contract.id), module.name, 'event', subscription.event);
  }
  for (const contract of Object.values(application.edge.requires)) edges.add(publicEdge, providerOf.get(contract.id), 'call', contract.id);
  const names = [publicEdge, ...application.modules.map((module) => module.name)];
  return edges.sorted((name) => names.indexOf(name));
};

/**
 * The services of `topology` and what crosses between them: each module edge drawn between
 * the services that run its ends (the public edge's from every gateway). Calls and events
 * inside one service are not drawn.
 */
export const topologyGraph = (application: Application, topology: Topology): TopologyGraph => {
  const serviceOf = new Map(topology.services.flatMap((service) => service.modules.map((module) => [module, service.name] as const)));
  const gateways = topology.services.filter((service) => service.gateway).map((service) => service.name);
  const edges = edgeCollector();
  for (const edge of moduleGraph(application)) {
    const callers = edge.from === publicEdge ? gateways : [serviceOf.get(edge.from)];
    for (const caller of callers) for (const label of edge.labels) edges.add(caller, serviceOf.get(edge.to), edge.kind, label);
  }
  return { services: topology.services, edges: edges.sorted((name) => topology.services.findIndex((service) => service.name === name)) };
};
