import { describe, expect, it } from 'vitest';
import { clientErrorResponse } from './client-errors.js';

/** Status, headers and JSON body of a raw HTTP/1.1 response. */
const parse = (raw: string) => {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { statusLine, headers, body: JSON.parse(body) as Record<string, unknown>, bodyBytes: Buffer.byteLength(body) };
};

describe("Node's own answers as problem+json", () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large', 'REQUEST_HEADERS_TOO_LARGE'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HTTP/1.1 413 Payload Too Large', 'PAYLOAD_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout', 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request', 'MALFORMED_REQUEST'],
    [undefined, 'HTTP/1.1 400 Bad Request', 'MALFORMED_REQUEST'],
  ])('answers %s with %s', (nodeCode, statusLine, code) => {
    const response = parse(clientErrorResponse(nodeCode));
    expect(response.statusLine).toBe(statusLine);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['connection']).toBe('close');
    expect(Number(response.headers['content-length'])).toBe(response.bodyBytes);
    expect(response.body).toMatchObject({ code, status: Number(statusLine.split(' ')[1]), requestId: response.headers['x-request-id'] });
  });
});
