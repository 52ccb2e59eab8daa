/**
 * Requests Node refuses before any handler runs (headers too large, not HTTP at all) are
 * answered like every other error: RFC 9457 problem+json with a request id, then closed.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { startTestApp } from '../support/test-app.js';

/** Writes `request` on a fresh socket and reads until the server closes it. */
const exchange = (url: string, request: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => {
      socket.destroy();
      resolve(received);
    });
    socket.on('error', reject);
    socket.write(request);
  });

/** The last response on the connection: status, headers, JSON body. */
const lastResponse = (raw: string) => {
  const start = raw.lastIndexOf('HTTP/1.1 ');
  const [head = '', body = ''] = raw.slice(start).split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
};

describe("Node's own error answers", () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startTestApp({ SEAM_SEED: 'off' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers a 20 KB header with 431 problem+json and closes the connection', async () => {
    const raw = await exchange(app.url, `GET /api/v1/categories HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    const response = lastResponse(raw);
    expect(response.status).toBe(431);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['connection']).toBe('close');
    expect(response.body).toMatchObject({ status: 431, code: 'REQUEST_HEADERS_TOO_LARGE', title: 'The request headers are too large' });
    expect(response.body['requestId']).toBe(response.headers['x-request-id']);
  });

  it('answers a malformed request line with 400 problem+json and closes the connection', async () => {
    const response = lastResponse(await exchange(app.url, 'THIS IS NOT HTTP\r\n\r\n'));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('answers garbage after a good request on a kept-alive connection with 400 problem+json, after the first answer', async () => {
    const raw = await exchange(app.url, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n');
    expect(raw.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(lastResponse(raw)).toMatchObject({ status: 400, body: { code: 'MALFORMED_REQUEST' } });
  });
});
