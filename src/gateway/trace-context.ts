/**
 * @module Every request runs in a W3C trace: the caller's, when it sends a valid
 * `traceparent`, otherwise a new one. From there the trace id reaches every module call, every
 * remote call (as its `traceparent`), every event (stored with its outbox row, so the handlers
 * join the trace, in process or over a queue) and every log line.
 */
import type { MiddlewareHandler } from 'hono';
import { continueTrace, runInCall } from '../kernel/call-context.js';

export const traceContext = (): MiddlewareHandler => (c, next) => runInCall(continueTrace(c.req.header('traceparent')), next);
