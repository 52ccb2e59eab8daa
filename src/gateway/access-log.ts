/**
 * @module One log line per request, with its id, status and duration.
 */

/** Probes answer 503 by design (draining, database down): a state the operator sees, not an error of the request. */
const probePaths = new Set(['/healthz', '/readyz']);
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../kernel/logger.js';

export const accessLog =
  (logger: Logger): MiddlewareHandler =>
  async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const line = {
      requestId: c.get('requestId') as string | undefined,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500 && !probePaths.has(line.path)) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  };
