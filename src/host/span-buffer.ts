/**
 * @module The last spans this process ended, kept in memory for the dashboard (/_seam): a
 * span processor holding a bounded ring, the oldest forgotten first, so recording costs a
 * fixed amount of memory however long the process runs.
 */
import { SpanStatusCode, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** A span as the dashboard shows it: plain data, times in milliseconds since the epoch. */
export interface RecordedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The span's parent, when it has one (in this process or the caller's). */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** The `service.name` of the process that recorded it. */
  readonly service: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly failed: boolean;
  readonly attributes: Attributes;
}

const millisecondsOf = ([seconds, nanoseconds]: readonly [number, number]): number => seconds * 1000 + nanoseconds / 1e6;

const recordedOf = (span: ReadableSpan): RecordedSpan => {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    startMs: millisecondsOf(span.startTime),
    durationMs: millisecondsOf(span.duration),
    failed: span.status.code === SpanStatusCode.ERROR,
    attributes: { ...span.attributes },
  };
};

/** The default number of spans kept: a few hundred requests' worth. */
export const defaultSpanCapacity = 2000;

export class SpanBuffer implements SpanProcessor {
  readonly #ring: (RecordedSpan | undefined)[];
  /** Where the next span goes; it also counts every span ever kept. */
  #next = 0;

  constructor(readonly capacity: number = defaultSpanCapacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`A span buffer holds at least one span, got a capacity of ${capacity}`);
    this.#ring = new Array<RecordedSpan | undefined>(capacity);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  /** Keeps the span if it was sampled (a span that records but is not sampled is exported nowhere either). */
  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & 1) === 0) return;
    this.#ring[this.#next % this.capacity] = recordedOf(span);
    this.#next += 1;
  }

  /** The spans kept, oldest ended first. */
  spans(): RecordedSpan[] {
    const count = Math.min(this.#next, this.capacity);
    const first = this.#next - count;
    const spans: RecordedSpan[] = [];
    for (let index = first; index < this.#next; index += 1) spans.push(this.#ring[index % this.capacity]!);
    return spans;
  }

  /** The kept spans of one trace, in the order they started. */
  trace(traceId: string): RecordedSpan[] {
    return this.spans()
      .filter((span) => span.traceId === traceId)
      .sort((one, other) => one.startMs - other.startMs);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
