/**
 * @module Spans (OpenTelemetry) for the work Seam does on a module's behalf: requests,
 * contract calls, transactions, outbox writes, relay deliveries, queue jobs, saga steps.
 *
 * Until the host installs a provider that records (an OTLP exporter is configured, see
 * host/telemetry.ts), spans are sampled out: each still gets its ids, so logs and the
 * `traceparent` of every remote call and event carry the trace, but nothing is kept and
 * the work that only matters for recording (in-process call spans, attributes) is skipped.
 */
import { context, createContextKey, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Link, type Span, type Tracer } from '@opentelemetry/api';
import { AlwaysOffSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { newSpanId, newTraceId } from './call-context.js';
import { SeamError } from './errors.js';
import { isRefusal } from './failures.js';

export { SpanKind, type Attributes, type Link, type Span };

let tracer: Tracer = new TracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('seam');
let recording = false;

/**
 * Makes `provider` the source of every Seam span from now on. `records`: whether its spans
 * go anywhere (an exporter or a buffer), which turns on the spans that cost a little per call.
 */
export const useTracerProvider = (provider: { getTracer(name: string, version?: string): Tracer }, records: boolean): void => {
  tracer = provider.getTracer('seam');
  recording = records;
};

/**
 * A span that records nothing but has an id of its own in `parent`'s trace (a new trace
 * without one): what the SDK gives when it samples a span out, without its per-span work.
 * Measured (bench:transport, compiled): binding throughput 0.73x and 0.74x raw on Node 20 and
 * 0.85x on Node 24 this way, against 0.60x and 0.78x through the SDK.
 */
const unrecorded = (parent: Context): Span => {
  const above = trace.getSpanContext(parent);
  const traceId = above !== undefined && trace.isSpanContextValid(above) ? above.traceId : newTraceId();
  return trace.wrapSpanContext({ traceId, spanId: newSpanId(), traceFlags: TraceFlags.NONE });
};

/** Whether spans are kept anywhere: bindings decide once, when they are made, whether to add theirs. */
export const spansRecorded = (): boolean => recording;

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  readonly links?: Link[];
  /** The context to start under (by default the active one): a request's remote parent, a stored event's trace. */
  readonly parent?: Context;
}

/**
 * Marks `span` failed by `error`: its code (a SeamError's) as `error.type`, and the exception
 * event. A refusal (OUT_OF_STOCK, NOT_FOUND) is an answer, not a failure of the work: it is
 * kept as `seam.outcome` and the span stays unset, as OpenTelemetry's conventions ask.
 */
export const recordFailure = (span: Span, error: unknown): void => {
  if (!span.isRecording()) return;
  if (isRefusal(error)) {
    span.setAttribute('seam.outcome', error.code);
    return;
  }
  const type = error instanceof SeamError ? error.code : error instanceof Error ? error.name : 'Error';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (error instanceof Error) span.recordException(error);
};

/**
 * Runs `work` in a new span named `name`, active for everything `work` starts; the span ends
 * when `work` settles, and a failure is recorded on it before it is rethrown.
 */
export const inSpan = <T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> => {
  const parent = options.parent ?? context.active();
  const span = startSpan(name, { ...options, parent });
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await work(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
};

/** Starts a span the caller ends (for work that does not fit one callback); not made active. */
export const startSpan = (name: string, options: SpanOptions): Span => {
  const parent = options.parent ?? context.active();
  return recording ? tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, parent) : unrecorded(parent);
};

/** The link to the span a context holds (an event's producer from a consumer): none when it holds none. */
export const linkTo = (parent: Context): Link[] => {
  const span = trace.getSpanContext(parent);
  return span !== undefined && trace.isSpanContextValid(span) ? [{ context: span }] : [];
};

/** A contract call's span name and attributes (OpenTelemetry's RPC conventions), the same on every side and in every mode. */
export const contractCallSpan = (contractId: string, method: string): { readonly name: string; readonly attributes: Attributes } => ({
  name: `${contractId}/${method}`,
  attributes: { 'rpc.system': 'seam', 'rpc.service': contractId, 'rpc.method': method },
});

const servedCall = createContextKey('seam.served-call');

/**
 * `parent` marked as the serving side of the contract call `spanName`, whose span a transport
 * already started: the in-process binding it reaches next adds no second span for it.
 */
export const servingCall = (spanName: string, parent: Context = context.active()): Context => parent.setValue(servedCall, spanName);

/** Whether the active context serves the call `spanName` (see servingCall). */
export const isServing = (spanName: string): boolean => context.active().getValue(servedCall) === spanName;
