/**
 * @module The dashboard at /_seam: architecture, outboxes and recent traces of this process,
 * server-rendered (hono/html), with links to the API reference and the metrics.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { AccessTokens } from '../../kernel/access-token.js';
import { ValidationFailed } from '../../kernel/errors.js';
import type { Application } from '../application.js';
import type { SpanBuffer } from '../span-buffer.js';
import type { Topology } from '../topology.js';
import { adminsOnly } from './access.js';
import { architectureBody } from './architecture.page.js';
import { dashboardBase, page, type Html } from './layout.js';
import { outboxBody } from './outbox.page.js';
import { outboxStatus, type OutboxSources } from './outbox-status.js';
import { recentTraces, waterfallOf } from './trace-search.js';
import { traceBody, tracesBody } from './traces.page.js';

export interface DashboardOptions {
  readonly application: Application;
  readonly topology: Topology;
  /** Who may read the pages; replaying always takes an administrator. */
  readonly viewers: 'anyone' | 'admins';
  readonly tokens: AccessTokens;
  readonly spans: SpanBuffer;
  /** This process's outboxes and relay; absent in a service that runs no module. */
  readonly outboxes?: OutboxSources & { replay(schema: string, id: string): Promise<boolean> };
  /** Whether /metrics is served on this port. */
  readonly metricsHere: boolean;
}

/** Traces listed at most on one page. */
const listedTraces = 100;

const traceIdPattern = /^[0-9a-f]{32}$/;

export const dashboardRoutes = (options: DashboardOptions): Hono => {
  const routes = new Hono();
  const viewing: MiddlewareHandler = options.viewers === 'admins' ? adminsOnly(options.tokens) : (_c, next) => next();
  const render = (title: string, body: Html) => page({ application: options.application.name, title, metricsHere: options.metricsHere }, body);
  routes.use(`${dashboardBase}/*`, async (c, next) => {
    await next();
    // What it shows changes by the second, and may be an administrator's view.
    c.header('cache-control', 'no-store');
  });

  routes.get(dashboardBase, viewing, (c) => c.html(render('Architecture', architectureBody(options.application, options.topology))));

  routes.get(`${dashboardBase}/outbox`, viewing, async (c) => {
    const { outboxes } = options;
    if (!outboxes) return c.html(render('Outbox', html`<p>This service runs no module, so it has no outbox.</p>`));
    const replayed = c.req.query('replayed');
    const notice = replayed === undefined ? undefined : replayed === 'none' ? 'That row is no longer dead (replayed already?).' : `Row ${replayed} is back in line for delivery.`;
    return c.html(render('Outbox', outboxBody(await outboxStatus(outboxes), notice)));
  });

  routes.post(`${dashboardBase}/outbox/replay`, adminsOnly(options.tokens), async (c) => {
    const { outboxes } = options;
    const form = await c.req.parseBody();
    const schema = form['schema'];
    const id = form['id'];
    if (typeof schema !== 'string' || !outboxes?.publishing.some((module) => module.schema === schema)) {
      throw ValidationFailed.create(`schema: the schema of a publishing module this service runs, got ${JSON.stringify(schema)}`);
    }
    if (typeof id !== 'string' || id.trim() === '') throw ValidationFailed.create('id: the id of a dead outbox row is required');
    const replayed = await outboxes.replay(schema, id);
    return c.redirect(`${dashboardBase}/outbox?replayed=${replayed ? encodeURIComponent(id) : 'none'}`, 303);
  });

  routes.get(`${dashboardBase}/traces`, viewing, (c) => {
    const search = c.req.query('q')?.trim() ?? '';
    const spans = options.spans.spans();
    const traces = recentTraces(spans, { search, hidden: [dashboardBase], limit: listedTraces });
    return c.html(render('Recent traces', tracesBody(traces, search, { spans: spans.length, capacity: options.spans.capacity })));
  });

  routes.get(`${dashboardBase}/traces/:traceId`, viewing, (c) => {
    const traceId = c.req.param('traceId').toLowerCase();
    if (!traceIdPattern.test(traceId)) throw ValidationFailed.create('traceId: 32 hexadecimal digits');
    return c.html(render('Trace', traceBody(traceId, waterfallOf(options.spans.trace(traceId)))));
  });

  return routes;
};
