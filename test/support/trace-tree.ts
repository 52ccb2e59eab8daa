/**
 * @module Reading one trace out of received spans: its spans, a span's chain of parents, and
 * the tree of contract calls in it, the same whether a call crossed the network (a client
 * span and a server span) or stayed in process (one span).
 */
import type { ReceivedSpan } from './otlp-receiver.js';

export interface Trace {
  readonly spans: readonly ReceivedSpan[];
  readonly byId: ReadonlyMap<string, ReceivedSpan>;
}

export const traceOf = (spans: readonly ReceivedSpan[], traceId: string): Trace => {
  const inTrace = spans.filter((span) => span.traceId === traceId);
  return { spans: inTrace, byId: new Map(inTrace.map((span) => [span.spanId, span])) };
};

/** `span` and its parents up to the root, root first; stops at a parent the trace lacks. */
export const ancestry = (trace: Trace, span: ReceivedSpan): ReceivedSpan[] => {
  const chain = [span];
  for (let parent = trace.byId.get(span.parentSpanId); parent !== undefined; parent = trace.byId.get(parent.parentSpanId)) chain.unshift(parent);
  return chain;
};

/** Spans whose parent is named but not in the trace (an orphan means a parent id was lost on the way). */
export const orphans = (trace: Trace): ReceivedSpan[] => trace.spans.filter((span) => span.parentSpanId !== '' && !trace.byId.has(span.parentSpanId));

const isContractCall = (span: ReceivedSpan): boolean => span.attributes['rpc.system'] === 'seam';

/**
 * The contract calls as edges `caller call > called call` (`(request)` for calls made by the
 * request itself), each once. A server span directly under its client span is the same call.
 */
export const contractCallEdges = (trace: Trace): string[] => {
  const edges = new Set<string>();
  for (const span of trace.spans.filter(isContractCall)) {
    const parent = trace.byId.get(span.parentSpanId);
    if (parent !== undefined && isContractCall(parent) && parent.name === span.name && parent.service !== span.service) continue;
    const caller = ancestry(trace, span)
      .slice(0, -1)
      .reverse()
      .find(isContractCall);
    edges.add(`${caller?.name ?? '(request)'} > ${span.name}`);
  }
  return [...edges].sort();
};
