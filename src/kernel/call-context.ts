/**
 * @module The context a call carries across modules and processes: its W3C trace (the active
 * OpenTelemetry span) and its deadline. Both live in OpenTelemetry's context, one
 * AsyncLocalStorage, so module code never passes them by hand, spans started anywhere join
 * the call's trace, and a transport can put the call on the wire and take it off again.
 */
import { context, createContextKey, ROOT_CONTEXT, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { randomFillSync } from 'node:crypto';

// Registered on first import, so the kernel keeps its calls apart in any process (a test, a
// script), not only in one the host set up. When something registered a manager first, that
// one is used.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

export interface CallContext {
  /** 32 hex digits, shared by every call made for one incoming request. */
  readonly traceId: string;
  /** 16 hex digits: the span this work runs in. */
  readonly spanId: string;
  /** Epoch milliseconds after which the work is no longer wanted. */
  readonly deadline?: number;
}

const deadlineKey = createContextKey('seam.call.deadline');

/** The active call: its trace (when it has one) and its deadline (when it has one). */
export const currentCall = (): CallContext | undefined => {
  const active = context.active();
  const span = trace.getSpanContext(active);
  const deadline = active.getValue(deadlineKey) as number | undefined;
  if (span === undefined || !trace.isSpanContextValid(span)) return undefined;
  return deadline === undefined ? { traceId: span.traceId, spanId: span.spanId } : { traceId: span.traceId, spanId: span.spanId, deadline };
};

/** The active call's deadline (epoch milliseconds), if it has one. */
export const callDeadline = (): number | undefined => context.active().getValue(deadlineKey) as number | undefined;

/** `parent` (the active context by default) with `deadline` as the call's deadline; unchanged when there is none. */
export const withDeadline = (deadline: number | undefined, parent: Context = context.active()): Context =>
  deadline === undefined ? parent : parent.setValue(deadlineKey, deadline);

/** Runs `work` as part of the call `call` describes: its trace as the parent of any span, and its deadline. */
export const runInCall = <T>(call: CallContext, work: () => T): T =>
  context.with(withDeadline(call.deadline, trace.setSpanContext(ROOT_CONTEXT, { traceId: call.traceId, spanId: call.spanId, traceFlags: TraceFlags.SAMPLED })), work);

/**
 * Runs `work` in the current trace but free of the caller's deadline: for work that goes on
 * after the call that started it has answered (a saga finishing in the background), which
 * would otherwise find every call it makes already out of time.
 */
export const beyondDeadline = <T>(work: () => T): T => {
  const active = context.active();
  return active.getValue(deadlineKey) === undefined ? work() : context.with(active.deleteValue(deadlineKey), work);
};

/**
 * Runs `work` outside any call: for scheduling background work (a relay's next poll) from
 * inside a call, whose timers would otherwise carry that call's trace and deadline forever.
 */
export const outsideCall = <T>(work: () => T): T => context.with(ROOT_CONTEXT, work);

// Every remote call needs a fresh span id, and randomBytes() per id costs a trip into the
// CPRNG and a hex conversion each time (microseconds). Instead 4 KiB of randomness is drawn
// and hex-encoded at once, and ids are cut from that string in 8-digit pieces: V8 copies a
// substring shorter than 13 characters, where a longer one would be a slice that keeps the
// whole 8 KiB string alive for as long as the id lives.
const poolBytes = Buffer.allocUnsafeSlow(4096);
let poolHex = '';
let poolOffset = 0;
const zeroTrace = '0'.repeat(32);
const zeroSpan = '0'.repeat(16);

const refill = (digits: number): number => {
  if (poolOffset + digits > poolHex.length) {
    poolHex = randomFillSync(poolBytes).toString('hex');
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += digits;
  return at;
};

/** 32 random hex digits, never all zeros (W3C: an all-zero id is invalid). */
export const newTraceId = (): string => {
  const at = refill(32);
  const id = poolHex.slice(at, at + 8) + poolHex.slice(at + 8, at + 16) + poolHex.slice(at + 16, at + 24) + poolHex.slice(at + 24, at + 32);
  return id === zeroTrace ? newTraceId() : id;
};

/** 16 random hex digits, never all zeros. */
export const newSpanId = (): string => {
  const at = refill(16);
  const id = poolHex.slice(at, at + 8) + poolHex.slice(at + 8, at + 16);
  return id === zeroSpan ? newSpanId() : id;
};

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** What every caller of ours sends: checked without captures, then cut by position. */
const canonicalTraceparent = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export interface ParsedTraceparent {
  readonly traceId: string;
  readonly parentId: string;
  /** The caller's sampling decision (the flags' low bit). */
  readonly sampled: boolean;
}

/** The trace, parent span and sampling flag of a `traceparent` header, if it is well formed and not all zeros. */
export const parseTraceparent = (header: string | null | undefined): ParsedTraceparent | undefined => {
  if (!header) return undefined;
  let traceId: string | undefined;
  let parentId: string | undefined;
  let flags: string | undefined;
  // This runs on every incoming call; trimming, lower-casing and capturing each copy
  // strings, so they are left to headers written some other way.
  if (canonicalTraceparent.test(header)) {
    traceId = header.slice(3, 35);
    parentId = header.slice(36, 52);
    flags = header.slice(53, 55);
  } else {
    const match = traceparentPattern.exec(header.trim().toLowerCase());
    traceId = match?.[1];
    parentId = match?.[2];
    flags = match?.[3];
  }
  if (!traceId || !parentId || traceId === zeroTrace || parentId === zeroSpan) return undefined;
  return { traceId, parentId, sampled: (Number.parseInt(flags ?? '00', 16) & 1) === 1 };
};

/** The `traceparent` header naming `span` as the parent of whatever receives it. */
export const traceparentOf = (span: SpanContext): string =>
  `00-${span.traceId}-${span.spanId}-${(span.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00'}`;

export const formatTraceparent = (traceId: string, spanId: string): string => `00-${traceId}-${spanId}-01`;

/** The span context a valid `traceparent` names, marked remote; undefined when it names none. */
export const remoteSpanContext = (traceparent: string | null | undefined): SpanContext | undefined => {
  const parsed = parseTraceparent(traceparent);
  if (parsed === undefined) return undefined;
  return { traceId: parsed.traceId, spanId: parsed.parentId, traceFlags: parsed.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
};

/**
 * A context whose parent span is the one `traceparent` names (a new trace begins under it
 * when it names none validly), with no deadline: where an incoming request or a stored event
 * continues its trace.
 */
export const remoteParent = (traceparent: string | null | undefined): Context => {
  const parent = remoteSpanContext(traceparent);
  return parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
};

/**
 * Where work done for a stored event starts its span: under the active span when there is one
 * (the relay's delivery, a queue job), else under the span `traceparent` names.
 */
export const activeOrRemoteParent = (traceparent: string | null | undefined): Context => {
  const active = context.active();
  return trace.getSpan(active) === undefined ? remoteParent(traceparent) : active;
};
