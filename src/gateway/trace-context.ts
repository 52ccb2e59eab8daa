/**
 * @module Every request runs in a span of its own (SpanKind.SERVER), in the caller's W3C
 * trace when it sends a valid `traceparent`, otherwise in a new one. From there the trace
 * reaches every module call, every remote call (as its `traceparent`), every event (stored
 * with its outbox row, so the handlers join the trace, in process or over a queue) and every
 * log line. The span is named after the route template, never the path: a path holds ids;
 * the same template labels the request's duration metric.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { remoteParent } from '../kernel/call-context.js';
import { inSpan, SpanKind } from '../kernel/tracing.js';

/** The template of the route that answered (`/api/v1/orders/:id`), or `unmatched` when none did. */
export const routeTemplateOf = (c: Context): string => {
  const template = routePath(c, -1);
  return template === '' || template.includes('*') ? 'unmatched' : template;
};

/** How a public request went, for its metrics: its route template, method, status and seconds. */
export type RequestObserver = (request: { readonly route: string; readonly method: string; readonly status: number; readonly seconds: number }) => void;

export const traceContext = (observe?: RequestObserver): MiddlewareHandler => (c, next) => {
  const started = performance.now();
  return inSpan(
    `${c.req.method}`,
    { kind: SpanKind.SERVER, parent: remoteParent(c.req.header('traceparent')), attributes: { 'http.request.method': c.req.method, 'url.path': c.req.path } },
    async (span) => {
      await next();
      if (!span.isRecording() && observe === undefined) return;
      const route = routeTemplateOf(c);
      observe?.({ route, method: c.req.method, status: c.res.status, seconds: (performance.now() - started) / 1000 });
      if (!span.isRecording()) return;
      span.updateName(`${c.req.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', c.res.status);
      if (c.res.status >= 500) {
        span.setAttribute('error.type', String(c.res.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    },
  );
};
