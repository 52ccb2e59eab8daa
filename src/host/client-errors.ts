/**
 * @module Node's own answers to requests it cannot parse (400, 408, 413, 431), as RFC 9457 problem+json.
 *
 * Node answers these before any handler runs, with an empty body; a client of the API should
 * get the same problem document every other error has, with a request id to quote.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorSpec } from '../kernel/errors.js';
import { MalformedRequest, PayloadTooLarge, RequestHeadersTooLarge, RequestTimeout } from '../gateway/protocol-errors.js';
import { httpStatusOf } from '../gateway/public-status.js';

/** How long a socket that was answered stays open reading (and dropping) what the client still sends. */
const lingerMs = 2000;

const answeredSockets = new WeakSet<Duplex>();

const specOf = (code: string | undefined): ErrorSpec => {
  if (code === 'HPE_HEADER_OVERFLOW') return RequestHeadersTooLarge;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return PayloadTooLarge;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return RequestTimeout;
  return MalformedRequest;
};

/** The whole HTTP/1.1 response, status line to body, for a parse error with Node's `code`. */
export const clientErrorResponse = (code: string | undefined): string => {
  const spec = specOf(code);
  const status = httpStatusOf(spec);
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: `urn:seam:problem:${spec.code.toLowerCase().replace(/_/g, '-')}`,
    title: spec.title,
    status,
    detail: spec.title,
    code: spec.code,
    requestId,
  });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'content-type: application/problem+json',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
};

/** The part of Node's socket state that says a response is under way on it. */
interface HttpSocket extends Duplex {
  readonly _httpMessage?: (NodeJS.EventEmitter & { readonly writableFinished?: boolean }) | null;
}

/**
 * A `clientError` listener: answers with problem+json, after the response under way on the
 * connection (if any, from an earlier request on it) so answers stay in order, then closes.
 * A socket that can no longer take an answer is destroyed. Further errors from it are ignored.
 */
export const answerClientError = (error: Error & { code?: string }, socket: Duplex): void => {
  if (answeredSockets.has(socket)) return;
  answeredSockets.add(socket);
  const answer = (): void => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error.code));
    // Closing with unread bytes (the rest of a huge header) would reset the connection, and a
    // reset can discard the answer before the client reads it: keep reading for a moment first.
    const linger = setTimeout(() => socket.destroy(), lingerMs);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  };
  const underWay = (socket as HttpSocket)._httpMessage;
  if (underWay && underWay.writableFinished !== true) underWay.once('finish', answer);
  else answer();
};
