/**
 * @module The context a call carries across modules and processes: its W3C trace and its
 * deadline. Kept in AsyncLocalStorage so module code never passes it by hand, and a
 * transport can put it on the wire and take it off again.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

export interface CallContext {
  /** 32 hex digits, shared by every call made for one incoming request. */
  readonly traceId: string;
  /** 16 hex digits: this call's span. */
  readonly spanId: string;
  /** Epoch milliseconds after which the work is no longer wanted. */
  readonly deadline?: number;
}

const storage = new AsyncLocalStorage<CallContext>();

export const currentCall = (): CallContext | undefined => storage.getStore();

/** Runs `work` with `context` as the current call context. */
export const runInCall = <T>(context: CallContext, work: () => T): T => storage.run(context, work);

/**
 * Runs `work` in the current trace but free of the caller's deadline: for work that goes on
 * after the call that started it has answered (a saga finishing in the background), which
 * would otherwise find every call it makes already out of time.
 */
export const beyondDeadline = <T>(work: () => T): T => {
  const call = storage.getStore();
  return call?.deadline === undefined ? work() : storage.run({ traceId: call.traceId, spanId: call.spanId }, work);
};

/**
 * Runs `work` outside any call: for scheduling background work (a relay's next poll) from
 * inside a call, whose timers would otherwise carry that call's trace and deadline forever.
 */
export const outsideCall = <T>(work: () => T): T => (storage.getStore() === undefined ? work() : storage.exit(work));

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

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
/** What every caller of ours sends: checked without captures, then cut by position. */
const canonicalTraceparent = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace and parent span of a `traceparent` header, if it is well formed and not all zeros. */
export const parseTraceparent = (header: string | null | undefined): { traceId: string; parentId: string } | undefined => {
  if (!header) return undefined;
  let traceId: string | undefined;
  let parentId: string | undefined;
  // This runs on every incoming call; trimming, lower-casing and capturing each copy
  // strings, so they are left to headers written some other way.
  if (canonicalTraceparent.test(header)) {
    traceId = header.slice(3, 35);
    parentId = header.slice(36, 52);
  } else {
    const match = traceparentPattern.exec(header.trim().toLowerCase());
    traceId = match?.[1];
    parentId = match?.[2];
  }
  if (!traceId || !parentId || traceId === zeroTrace || parentId === zeroSpan) return undefined;
  return { traceId, parentId };
};

export const formatTraceparent = (traceId: string, spanId: string): string => `00-${traceId}-${spanId}-01`;

/** A new span in the trace `traceparent` names, or in a new trace when it names none validly. */
export const continueTrace = (traceparent: string | null | undefined): CallContext => ({
  traceId: parseTraceparent(traceparent)?.traceId ?? newTraceId(),
  spanId: newSpanId(),
});
