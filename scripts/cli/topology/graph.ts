/**
 * @module `seam topology graph`'s drawings: the services of a topology, the modules each runs,
 * and what crosses between them, as Mermaid or Graphviz. The graph itself is
 * src/host/topology-graph.ts, which the dashboard draws too.
 */
import type { TopologyGraph } from '../../../src/host/topology-graph.js';

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
