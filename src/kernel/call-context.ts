/**
 * @module The context a call carries across modules and processes: its W3C trace and its
 * deadline. Kept in AsyncLocalStorage so module code never passes it by hand, and a
 * transport can put it on the wire and take it off again.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

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

export const newTraceId = (): string => randomBytes(16).toString('hex');
export const newSpanId = (): string => randomBytes(8).toString('hex');

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace and parent span of a `traceparent` header, if it is well formed and not all zeros. */
export const parseTraceparent = (header: string | null | undefined): { traceId: string; parentId: string } | undefined => {
  const match = header ? traceparentPattern.exec(header.trim().toLowerCase()) : null;
  if (!match?.[1] || !match[2] || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return { traceId: match[1], parentId: match[2] };
};

export const formatTraceparent = (traceId: string, spanId: string): string => `00-${traceId}-${spanId}-01`;

/** Milliseconds left before the current call's deadline; undefined when it has none. */
export const remainingMs = (context: CallContext | undefined = currentCall()): number | undefined =>
  context?.deadline === undefined ? undefined : context.deadline - Date.now();
