/**
 * @module The request body limit, judged from the declared length when there is one.
 *
 * hono's bodyLimit reads `c.req.raw.body` first, and under @hono/node-server that one read
 * turns the lazy request into a full web Request (a ReadableStream over the socket, an
 * AbortController) on every request, a checkout's included. A request that declares its
 * length is judged by that header alone, exactly as hono's middleware would judge it; one
 * without a length but with a body (chunked) goes to hono's middleware, which counts the
 * bytes as they stream in. GET and HEAD carry no body.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export interface BodyLimitOptions {
  readonly maxSize: number;
  readonly onError: (c: Context) => Response | Promise<Response>;
}

export const limitBody = (options: BodyLimitOptions): MiddlewareHandler => {
  const counting = bodyLimit(options);
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counting(c, next);
    return Number.parseInt(length, 10) > options.maxSize ? Promise.resolve(options.onError(c)) : next();
  };
};
