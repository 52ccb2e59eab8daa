/**
 * @module For `--export` runs of the benchmarks: a local OTLP/HTTP receiver that takes every
 * export request and throws it away, so the figures include building, batching, encoding and
 * sending spans, and nothing of a real backend. Loopback only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSink {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** Export requests and bytes received so far. */
  received(): { readonly requests: number; readonly bytes: number };
  close(): Promise<void>;
}

/** Whether this run was asked to export its spans (`--export`). */
export const exportRequested = (): boolean => process.argv.includes('--export');

export const startOtlpSink = async (): Promise<OtlpSink> => {
  let requests = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => ({ requests, bytes }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
