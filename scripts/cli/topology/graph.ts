/**
 * @module `seam topology graph`: the services of a topology, the modules each runs, and what
 * crosses between them, read from the modules' own declarations: a contract call for each
 * `requires` (the public edge's, and a seed's, marked), an event flow for each `subscribes`, from the
 * publishing service to the subscribing one. Calls and events inside one service are not drawn.
 */
import type { Application } from '../../../src/host/application.js';
import type { Topology } from '../../../src/host/topology.js';

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

export const topologyGraph = (application: Application, topology: Topology): TopologyGraph => {
  const serviceOf = new Map(topology.services.flatMap((service) => service.modules.map((module) => [module, service.name] as const)));
  const providerOf = new Map(application.modules.map((module) => [module.provides.id, module.name]));
  const edges = new Map<string, { from: string; to: string; kind: GraphEdge['kind']; labels: Set<string> }>();
  const add = (from: string | undefined, to: string | undefined, kind: GraphEdge['kind'], label: string): void => {
    if (from === undefined || to === undefined || from === to) return;
    const key = `${kind} ${from} ${to}`;
    const edge = edges.get(key) ?? { from, to, kind, labels: new Set<string>() };
    edge.labels.add(label);
    edges.set(key, edge);
  };
  const providingService = (contractId: string): string | undefined => serviceOf.get(providerOf.get(contractId) ?? '');
  for (const module of application.modules) {
    const service = serviceOf.get(module.name);
    for (const contract of Object.values(module.requires)) add(service, providingService(contract.id), 'call', contract.id);
    // Its sample-data seed calls these too (the caller permissions allow it), only while seeding.
    for (const contract of module.seed?.requires ?? []) add(service, providingService(contract.id), 'call', `${contract.id} (seed)`);
    for (const subscription of module.subscribes ?? []) add(providingService(subscription.contract.id), service, 'event', subscription.event);
  }
  for (const gateway of topology.services.filter((service) => service.gateway)) {
    for (const contract of Object.values(application.edge.requires)) add(gateway.name, providingService(contract.id), 'call', contract.id);
  }
  const order = (name: string): number => topology.services.findIndex((service) => service.name === name);
  const sorted = [...edges.values()].sort((one, other) => order(one.from) - order(other.from) || order(one.to) - order(other.to) || one.kind.localeCompare(other.kind));
  return { services: topology.services, edges: sorted.map((edge) => ({ ...edge, labels: [...edge.labels].sort() })) };
};

const nodeText = (service: TopologyGraph['services'][number]): { title: string; modules: string } => ({
  title: `${service.name}${service.gateway ? ' (gateway)' : ''}${service.replicas > 1 ? ` ×${service.replicas}` : ''}`,
  modules: service.modules.length > 0 ? service.modules.join(', ') : 'no modules',
});

/** Mermaid ids: a DNS label is one, except the word `end`, which closes a block. */
const mermaidId = (name: string): string => (name === 'end' ? 'end_' : name);

/** A Mermaid flowchart: solid arrows for calls, dashed for events. */
export const mermaidOf = (graph: TopologyGraph): string => {
  const lines = ['flowchart LR'];
  for (const service of graph.services) {
    const { title, modules } = nodeText(service);
    lines.push(`  ${mermaidId(service.name)}["${title}<br/>${modules}"]`);
  }
  for (const edge of graph.edges) {
    lines.push(`  ${mermaidId(edge.from)} ${edge.kind === 'call' ? '-->' : '-.->'}|"${edge.labels.join(', ')}"| ${mermaidId(edge.to)}`);
  }
  return lines.join('\n');
};

/** A Graphviz digraph: solid edges for calls, dashed for events. */
export const dotOf = (graph: TopologyGraph): string => {
  const lines = ['digraph topology {', '  rankdir=LR;', '  node [shape=box];'];
  for (const service of graph.services) {
    const { title, modules } = nodeText(service);
    lines.push(`  "${service.name}" [label="${title}\\n${modules}"];`);
  }
  for (const edge of graph.edges) {
    lines.push(`  "${edge.from}" -> "${edge.to}" [${edge.kind === 'event' ? 'style=dashed, ' : ''}label="${edge.labels.join(', ')}"];`);
  }
  lines.push('}');
  return lines.join('\n');
};
