/**
 * @module The dashboard's view of the span buffer: spans grouped into traces, each summed up
 * by its root (route, duration, status), found by trace id, route, or any attribute value a
 * span of it carries (an order id, say), and one trace laid out for its waterfall.
 */
import type { RecordedSpan } from '../span-buffer.js';

export interface TraceSummary {
  readonly traceId: string;
  /** The root's name: `POST /api/v1/orders`, `relay orders/v1#OrderPlaced`. */
  readonly name: string;
  readonly service: string;
  readonly startMs: number;
  /** From the first span's start to the last one's end. */
  readonly durationMs: number;
  readonly spanCount: number;
  readonly failed: boolean;
  readonly statusCode: number | undefined;
}

/** A trace's roots: its spans whose parent is not among them (none, or the caller's, or one forgotten). */
const rootsOf = (spans: readonly RecordedSpan[]): RecordedSpan[] => {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans.filter((span) => span.parentSpanId === undefined || !ids.has(span.parentSpanId));
};

const summaryOf = (traceId: string, spans: readonly RecordedSpan[]): TraceSummary => {
  const root = rootsOf(spans).sort((one, other) => one.startMs - other.startMs)[0] ?? spans[0]!;
  const startMs = Math.min(...spans.map((span) => span.startMs));
  const endMs = Math.max(...spans.map((span) => span.startMs + span.durationMs));
  const status = root.attributes['http.response.status_code'];
  return {
    traceId,
    name: root.name,
    service: root.service,
    startMs,
    durationMs: endMs - startMs,
    spanCount: spans.length,
    failed: spans.some((span) => span.failed),
    statusCode: typeof status === 'number' ? status : undefined,
  };
};

/** Whether a span of the trace answers `query`: its trace id, a span's name or route containing it, or an attribute value equal to it. */
const matches = (traceId: string, spans: readonly RecordedSpan[], query: string): boolean => {
  if (traceId === query.toLowerCase()) return true;
  return spans.some(
    (span) =>
      span.name.includes(query) ||
      Object.values(span.attributes).some((value) => (Array.isArray(value) ? value.map(String).includes(query) : String(value) === query)),
  );
};

export interface TraceQuery {
  /** A trace id, a route (or part of one), or an attribute value such as an order id. */
  readonly search?: string;
  /** Trace ids that answer `search` too, though none of `spans` does: found by other services' spans. */
  readonly alsoMatching?: ReadonlySet<string>;
  /** Traces whose root's name starts with one of these are left out (the dashboard's own requests). */
  readonly hidden?: readonly string[];
  readonly limit: number;
}

/** The traces among `spans`, newest first, as `query` filters them. */
export const recentTraces = (spans: readonly RecordedSpan[], query: TraceQuery): TraceSummary[] => {
  const byTrace = new Map<string, RecordedSpan[]>();
  for (const span of spans) {
    const kept = byTrace.get(span.traceId);
    if (kept) kept.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  const search = query.search?.trim() || undefined;
  const summaries: TraceSummary[] = [];
  for (const [traceId, traceSpans] of byTrace) {
    if (search !== undefined && !query.alsoMatching?.has(traceId) && !matches(traceId, traceSpans, search)) continue;
    const summary = summaryOf(traceId, traceSpans);
    if (query.hidden?.some((prefix) => summary.name.includes(` ${prefix}`))) continue;
    summaries.push(summary);
  }
  return summaries.sort((one, other) => other.startMs - one.startMs).slice(0, query.limit);
};

export interface WaterfallRow {
  readonly span: RecordedSpan;
  /** How deep in the tree it sits (its parent's depth plus one; a root's is 0). */
  readonly depth: number;
  /** Its start and length as percentages of the whole trace, for the bars. */
  readonly offsetPercent: number;
  readonly widthPercent: number;
  readonly offsetMs: number;
}

/** The trace's spans in tree order (each after its parent, siblings by start), placed on the trace's time line. */
export const waterfallOf = (spans: readonly RecordedSpan[]): WaterfallRow[] => {
  if (spans.length === 0) return [];
  const startMs = Math.min(...spans.map((span) => span.startMs));
  const totalMs = Math.max(...spans.map((span) => span.startMs + span.durationMs)) - startMs || 1;
  const children = new Map<string, RecordedSpan[]>();
  for (const span of spans) {
    if (span.parentSpanId === undefined) continue;
    const siblings = children.get(span.parentSpanId);
    if (siblings) siblings.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  const byStart = (list: readonly RecordedSpan[]): RecordedSpan[] => [...list].sort((one, other) => one.startMs - other.startMs);
  const rows: WaterfallRow[] = [];
  const visit = (span: RecordedSpan, depth: number): void => {
    const offsetMs = span.startMs - startMs;
    rows.push({ span, depth, offsetMs, offsetPercent: (offsetMs / totalMs) * 100, widthPercent: Math.max((span.durationMs / totalMs) * 100, 0.5) });
    for (const child of byStart(children.get(span.spanId) ?? [])) visit(child, depth + 1);
  };
  for (const root of byStart(rootsOf(spans))) visit(root, 0);
  return rows;
};
