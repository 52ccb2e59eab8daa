/**
 * @module An OTLP/HTTP traces receiver for tests: listens on a random loopback port, decodes
 * every export request (protobuf, as the services send it) with the OpenTelemetry project's
 * own compiled protobuf definitions, and keeps the spans with the service that sent them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// The OTLP protobuf messages as the OpenTelemetry project compiles them (otlp-transformer's generated code).
import root from 'otlp-protobuf-decoder/build/src/generated/root.js';

export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
}

export const spanKind = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

export interface OtlpReceiver {
  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly spans: readonly ReceivedSpan[];
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface DecodedSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId?: Uint8Array;
  name: string;
  kind: number;
  attributes?: KeyValue[];
  links?: { traceId: Uint8Array; spanId: Uint8Array }[];
}
interface DecodedRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: DecodedSpan[] }[] }[];
}

const ExportTraceServiceRequest = (root as unknown as { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(bytes: Uint8Array): unknown; toObject(message: unknown, options: object): unknown } } } } } } })
  .opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Ids as OTLP's JSON encoding shows them: lower-case hex. */
const hex = (bytes: Uint8Array | undefined): string => (bytes === undefined ? '' : Buffer.from(bytes).toString('hex'));

const valueOf = (value: AnyValue | undefined): string | number | boolean => value?.stringValue ?? value?.boolValue ?? value?.doubleValue ?? Number(value?.intValue ?? 0);

const attributesOf = (pairs: KeyValue[] | undefined): Record<string, string | number | boolean> => Object.fromEntries((pairs ?? []).map((pair) => [pair.key, valueOf(pair.value)]));

/** The spans of one decoded export request, each with its resource's service.name. */
const spansOf = (request: DecodedRequest): ReceivedSpan[] =>
  (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        links: (span.links ?? []).map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
      })),
    );
  });

export const startOtlpReceiver = async (): Promise<OtlpReceiver> => {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const message = ExportTraceServiceRequest.decode(Buffer.concat(chunks));
      const decoded = ExportTraceServiceRequest.toObject(message, { enums: Number, longs: Number, defaults: false }) as DecodedRequest;
      spans.push(...spansOf(decoded));
      // An empty ExportTraceServiceResponse: everything accepted.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
