import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { SpanBuffer } from './span-buffer.js';

const recording = (buffer: SpanBuffer) =>
  new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), sampler: new AlwaysOnSampler(), spanProcessors: [buffer] }).getTracer('test');

describe('SpanBuffer', () => {
  it('keeps the last spans ended, oldest first, as plain data naming their service', () => {
    const buffer = new SpanBuffer(3);
    const tracer = recording(buffer);
    for (const name of ['one', 'two', 'three', 'four', 'five']) tracer.startSpan(name, { attributes: { step: name } }).end();
    const kept = buffer.spans();
    expect(kept.map((span) => span.name)).toEqual(['three', 'four', 'five']);
    expect(kept[2]).toMatchObject({ service: 'shop', failed: false, parentSpanId: undefined, attributes: { step: 'five' } });
  });

  it('gives one trace’s spans in the order they started, with their parents', () => {
    const buffer = new SpanBuffer(10);
    const tracer = recording(buffer);
    const root = tracer.startSpan('request', { startTime: 1_000 });
    const child = tracer.startSpan('call', { startTime: 1_005 }, trace.setSpan(context.active(), root));
    child.end();
    root.end();
    tracer.startSpan('elsewhere', { startTime: 1_002 }).end();
    const spans = buffer.trace(root.spanContext().traceId);
    expect(spans.map((span) => span.name)).toEqual(['request', 'call']);
    expect(spans[1]?.parentSpanId).toBe(root.spanContext().spanId);
  });

  it('refuses a capacity below one', () => {
    expect(() => new SpanBuffer(0)).toThrow(/at least one span/);
  });
});
