/**
 * @module A bare HTTP/1.1 client for the load generator: keep-alive sockets to one loopback
 * server, one request in flight per socket, responses with a Content-Length or chunked body.
 *
 * It runs on the event loop the shops under test run on, and its CPU lands in each path's
 * figure, so it does as little as a client can: the request is written as one string, the
 * response read as bytes, no header objects, streams or URL parsing (undici's pool cost about
 * four times as much per request, node:http eight).
 */
import { connect, type Socket } from 'node:net';

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

interface Waiting {
  resolve(reply: HttpReply): void;
  reject(error: Error): void;
}

const headerEnd = Buffer.from('\r\n\r\n');
const lineEnd = Buffer.from('\r\n');

/** A parsed response head: the status and how the body is framed. */
interface Head {
  readonly status: number;
  readonly bodyStart: number;
  /** Bytes of body, or 'chunked'. */
  readonly length: number | 'chunked';
}

const parseHead = (buffer: Buffer, end: number): Head => {
  const head = buffer.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (contentLength) return { status, bodyStart: end + 4, length: Number(contentLength[1]) };
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return { status, bodyStart: end + 4, length: 'chunked' };
  if (status === 204 || status === 304) return { status, bodyStart: end + 4, length: 0 };
  throw new Error(`a response without Content-Length or chunked encoding: ${head.split('\r\n')[0]}`);
};

/** The body of a chunked response if all of it is in `buffer` from `start`: [body, bytes used]. */
const parseChunked = (buffer: Buffer, start: number): [Buffer, number] | undefined => {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const sizeEnd = buffer.indexOf(lineEnd, at);
    if (sizeEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', at, sizeEnd), 16);
    if (Number.isNaN(size)) throw new Error('a malformed chunk size');
    if (size === 0) {
      // No trailers are sent to this client: the last chunk is "0\r\n\r\n".
      if (buffer.length < sizeEnd + 4) return undefined;
      return [Buffer.concat(parts), sizeEnd + 4];
    }
    if (buffer.length < sizeEnd + 2 + size + 2) return undefined;
    parts.push(buffer.subarray(sizeEnd + 2, sizeEnd + 2 + size));
    at = sizeEnd + 2 + size + 2;
  }
};

/** One keep-alive connection; `send` must not be called again before its reply arrived. */
class Connection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: Waiting | undefined;
  #broken: Error | undefined;

  constructor(port: number, timeoutMs: number) {
    this.#socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.#socket.setTimeout(timeoutMs, () => this.#fail(new Error(`no answer within ${timeoutMs} ms`)));
    this.#socket.on('data', (chunk: Buffer) => this.#read(chunk));
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => this.#fail(new Error('the server closed the connection')));
  }

  get usable(): boolean {
    return this.#broken === undefined;
  }

  send(request: string): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      if (this.#broken) return reject(this.#broken);
      this.#waiting = { resolve, reject };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const end = this.#buffer.indexOf(headerEnd);
    if (end < 0) return;
    try {
      const head = parseHead(this.#buffer, end);
      let body: Buffer;
      let used: number;
      if (head.length === 'chunked') {
        const parsed = parseChunked(this.#buffer, head.bodyStart);
        if (!parsed) return;
        [body, used] = parsed;
      } else {
        if (this.#buffer.length < head.bodyStart + head.length) return;
        body = this.#buffer.subarray(head.bodyStart, head.bodyStart + head.length);
        used = head.bodyStart + head.length;
      }
      const reply = { status: head.status, body: body.toString('utf8') };
      this.#buffer = this.#buffer.subarray(used);
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.resolve(reply);
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #fail(error: Error): void {
    this.#broken ??= error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
    this.#socket.destroy();
  }
}

/** Keep-alive connections to `127.0.0.1:port`, opened as needed, reused while they work. */
export class HttpClient {
  readonly #idle: Connection[] = [];
  readonly #open = new Set<Connection>();

  constructor(
    private readonly port: number,
    private readonly timeoutMs = 30_000,
  ) {}

  /** POSTs `body` as JSON to `path` with `headers` (names and values without CR or LF). */
  async postJson(path: string, headers: Readonly<Record<string, string>>, body: string): Promise<HttpReply> {
    let head = `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${this.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    const connection = this.#take();
    try {
      return await connection.send(`${head}\r\n${body}`);
    } finally {
      if (connection.usable) this.#idle.push(connection);
      else this.#open.delete(connection);
    }
  }

  close(): void {
    for (const connection of this.#open) connection.close();
    this.#open.clear();
    this.#idle.length = 0;
  }

  #take(): Connection {
    // Idle connections the server closed meanwhile (its keep-alive timeout) are dropped here.
    for (let idle = this.#idle.pop(); idle; idle = this.#idle.pop()) {
      if (idle.usable) return idle;
      this.#open.delete(idle);
    }
    const connection = new Connection(this.port, this.timeoutMs);
    this.#open.add(connection);
    return connection;
  }
}
