/**
 * The trace ids and traceparent headers the HTTP binding makes and reads on every call.
 */
import { describe, expect, it } from 'vitest';
import { TraceFlags } from '@opentelemetry/api';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, traceparentOf } from '../../src/kernel/call-context.js';

describe('trace context', () => {
  it('makes well-formed, distinct ids', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 2000; index += 1) {
      const traceId = newTraceId();
      const spanId = newSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(traceId).add(spanId);
    }
    expect(seen.size).toBe(4000);
  });

  it('reads back what it writes', () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    expect(parseTraceparent(formatTraceparent(traceId, spanId))).toEqual({ traceId, parentId: spanId, sampled: true });
    expect(parseTraceparent(traceparentOf({ traceId, spanId, traceFlags: TraceFlags.NONE }))).toEqual({ traceId, parentId: spanId, sampled: false });
  });

  it('accepts upper case and surrounding blanks, as the pattern always did', () => {
    expect(parseTraceparent(` 00-${'AB'.repeat(16)}-${'CD'.repeat(8)}-01 `)).toEqual({ traceId: 'ab'.repeat(16), parentId: 'cd'.repeat(8), sampled: true });
  });

  it('refuses all-zero ids, other versions and malformed headers', () => {
    const span = 'b'.repeat(16);
    const trace = 'a'.repeat(32);
    for (const header of [
      `00-${'0'.repeat(32)}-${span}-01`,
      `00-${trace}-${'0'.repeat(16)}-01`,
      `01-${trace}-${span}-01`,
      `00-${trace}-${span}-1`,
      `00-${trace}x${span}-01`,
      `00-${trace.slice(1)}g-${span}-01`,
      '',
      undefined,
    ]) {
      expect(parseTraceparent(header)).toBeUndefined();
    }
  });
});
