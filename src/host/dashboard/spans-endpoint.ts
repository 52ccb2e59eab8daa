/**
 * @module What an instance of a split tells the gateways' dashboards about the spans it keeps,
 * on its own port: `GET /_seam/spans?trace=<id>`, one trace's spans, so the dashboard draws
 * the whole trace; `GET /_seam/spans/traces?q=<search>`, the ids of the traces a search
 * finds here (an order id is an attribute of the orders service's spans, not the gateway's);
 * and `GET /_seam/spans/recent`, the spans of the latest traces, which one gateway replica's
 * list of recent traces takes from the others.
 *
 * It answers the deployment's gateway services only, recognised by the service credential
 * they sign RPC calls with (401 without a genuine one, 403 for another service), since spans
 * carry ids and routes of real requests. On a gateway this is the public port, so that check
 * is all that guards it; it is served only where the dashboard is on (SEAM_DASHBOARD).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { Forbidden, toSeamError, ValidationFailed } from '../../kernel/errors.js';
import { errorResponse } from '../../transport/http/rpc-server.js';
import type { ServiceCredentials } from '../../transport/http/service-credential.js';
import { headers } from '../../transport/http/wire.js';
import type { SpanBuffer } from '../span-buffer.js';
import { dashboardBase } from './layout.js';
import { recentTraces } from './trace-search.js';

/** Where a service serves a trace's spans. */
export const spansPath = `${dashboardBase}/spans`;

/** Where a service says which traces a search finds among its spans. */
export const matchingTracesPath = `${spansPath}/traces`;

/** Where a gateway replica serves the spans of the requests it took lately, for the others' lists of recent traces. */
export const recentSpansPath = `${spansPath}/recent`;

/** Trace ids a search answers with at most, the most recent first. */
const matchingLimit = 100;

export const traceIdPattern = /^[0-9a-f]{32}$/;

// OpenTelemetry's attribute values; an array's missing entries come through JSON as null.
const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string().nullable()), z.array(z.number().nullable()), z.array(z.boolean().nullable())]);

/** What the endpoint answers: its service, its instance, and the trace's spans it keeps. */
export const spansAnswer = z.object({
  service: z.string(),
  instance: z.string(),
  spans: z.array(
    z.object({
      traceId: z.string().regex(traceIdPattern),
      spanId: z.string().min(1),
      parentSpanId: z.string().min(1).optional(),
      name: z.string(),
      service: z.string(),
      startMs: z.number(),
      durationMs: z.number(),
      failed: z.boolean(),
      attributes: z.record(z.string(), attributeValue),
    }),
  ),
});

/** What the search answers: its service, its instance, and the ids of the traces found. */
export const matchingTracesAnswer = z.object({ service: z.string(), instance: z.string(), traceIds: z.array(z.string().regex(traceIdPattern)) });

export interface SpansEndpointOptions {
  readonly service: string;
  readonly instance: string;
  readonly spans: SpanBuffer;
  readonly credentials: ServiceCredentials;
  /** The services that may read spans: the topology's gateways, whose dashboards ask. */
  readonly readers: ReadonlySet<string>;
}

export const spansEndpoint = (options: SpansEndpointOptions): Hono => {
  const routes = new Hono();
  const from = { service: options.service, instance: options.instance };
  /** Answers with `answer(c)` for a gateway's genuine credential, and refuses anyone else. */
  const forGateways = (answer: (c: Context) => Record<string, unknown>) => async (c: Context) => {
    try {
      const caller = await options.credentials.verify(c.req.header(headers.credential));
      if (!options.readers.has(caller)) throw Forbidden.create(`Service ${caller} may not read this service's spans; only a gateway's dashboard does`);
      c.header('cache-control', 'no-store');
      return c.json({ ...from, ...answer(c) });
    } catch (error) {
      return errorResponse(c, toSeamError(error));
    }
  };
  routes.get(
    spansPath,
    forGateways((c) => {
      const traceId = c.req.query('trace')?.toLowerCase() ?? '';
      if (!traceIdPattern.test(traceId)) throw ValidationFailed.create('trace: a trace id of 32 hexadecimal digits is required');
      return { spans: options.spans.trace(traceId) };
    }),
  );
  routes.get(
    matchingTracesPath,
    forGateways((c) => {
      const search = c.req.query('q')?.trim() ?? '';
      if (search === '' || search.length > 200) throw ValidationFailed.create('q: a search of 1 to 200 characters is required');
      return { traceIds: recentTraces(options.spans.spans(), { search, limit: matchingLimit }).map((trace) => trace.traceId) };
    }),
  );
  routes.get(
    recentSpansPath,
    forGateways(() => {
      const spans = options.spans.spans();
      const recent = new Set(recentTraces(spans, { hidden: [dashboardBase], limit: matchingLimit }).map((trace) => trace.traceId));
      return { spans: spans.filter((span) => recent.has(span.traceId)) };
    }),
  );
  return routes;
};
