/**
 * @module The dashboard at /_seam: architecture, live instances, outboxes and recent traces
 * (in a split, each drawn with the spans every service keeps), server-rendered (hono/html),
 * with links to the API reference and the metrics, and a login page for browsers where only
 * administrators may look (access.ts says who may).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { ReadinessProbe } from '../../gateway/health.routes.js';
import type { AccessTokens } from '../../kernel/access-token.js';
import { ValidationFailed } from '../../kernel/errors.js';
import type { Application } from '../application.js';
import type { RecordedSpan, SpanBuffer } from '../span-buffer.js';
import type { ServiceSpec, Topology } from '../topology.js';
import { adminsOnly, identifyViewer, type DashboardEnv } from './access.js';
import { architectureBody } from './architecture.page.js';
import type { DeploymentView, TraceSpans } from './deployment-view.js';
import type { EndedSessions } from './ended-sessions.js';
import { instancesBody, selfStatus, serviceRowsOf } from './instances.page.js';
import { formPost } from './form-posts.js';
import { dashboardBase, page, type Html } from './layout.js';
import { loginRoutes } from './login.routes.js';
import { outboxBody } from './outbox.page.js';
import { outboxStatus, type OutboxSources } from './outbox-status.js';
import { traceIdPattern } from './spans-endpoint.js';
import type { SessionCookieOptions } from './session-cookie.js';
import type { SignIn } from './sign-in.js';
import { recentTraces, waterfallOf } from './trace-search.js';
import { traceBody, tracesBody } from './traces.page.js';

export interface DashboardOptions {
  readonly application: Application;
  readonly topology: Topology;
  /** The service this process runs, and how to ask it whether it is ready. */
  readonly local: ServiceSpec;
  readonly self: { readonly instanceId: string; readonly readiness: ReadinessProbe };
  /** The deployment's other services, in a split; absent when every module runs here. */
  readonly deployment?: DeploymentView;
  /** Who may read the pages; replaying always takes an administrator. */
  readonly viewers: 'anyone' | 'admins';
  readonly tokens: AccessTokens;
  /** Sessions ended by logging out (ended-sessions.ts). */
  readonly ended: EndedSessions;
  /** Checks the login form's email and password (sign-in.ts). */
  readonly signIn: SignIn;
  readonly spans: SpanBuffer;
  /** This process's outboxes and relay; absent in a service that runs no module. */
  readonly outboxes?: OutboxSources & { replay(schema: string, id: string): Promise<boolean> };
  /** Whether /metrics is served on this port. */
  readonly metricsHere: boolean;
}

/**
 * No script, no frame, no form sent elsewhere: what the pages need and nothing more, so
 * neither an injected tag nor a framing site can act with an administrator's session.
 */
const contentPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Traces listed at most on one page. */
const listedTraces = 100;

const noOtherServices: TraceSpans = { spans: [], unanswered: [] };

/** This process's spans (of a trace, or of its latest traces) and those the other instances sent, each span once, by start. */
const mergedTrace = (own: readonly RecordedSpan[], others: TraceSpans): RecordedSpan[] => {
  const byId = new Map(own.map((span) => [span.spanId, span]));
  for (const span of others.spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  return [...byId.values()].sort((one, other) => one.startMs - other.startMs);
};

export const dashboardRoutes = (options: DashboardOptions): Hono<DashboardEnv> => {
  const routes = new Hono<DashboardEnv>();
  // Admins-only is production's setting, where TLS may end at an ingress before this process.
  const viewerOptions = { tokens: options.tokens, ended: options.ended, session: { alwaysSecure: options.viewers === 'admins' } satisfies SessionCookieOptions };
  const admins = adminsOnly(viewerOptions);
  const viewing: MiddlewareHandler<DashboardEnv> = options.viewers === 'admins' ? admins : identifyViewer(viewerOptions);
  const frame = { application: options.application.name, metricsHere: options.metricsHere };
  const render = (c: Context<DashboardEnv>, title: string, body: Html) => page({ ...frame, title, viewer: c.get('viewer')?.email }, body);
  routes.use(`${dashboardBase}/*`, async (c, next) => {
    await next();
    // What it shows changes by the second, and may be an administrator's view.
    c.header('cache-control', 'no-store');
    c.header('content-security-policy', contentPolicy);
    c.header('x-frame-options', 'DENY');
  });
  routes.route('/', loginRoutes({ ...viewerOptions, signIn: options.signIn, render: (title, body) => page({ ...frame, title }, body) }));

  routes.get(dashboardBase, viewing, (c) => c.html(render(c, 'Architecture', architectureBody(options.application, options.topology))));

  routes.get(`${dashboardBase}/instances`, viewing, async (c) => {
    const { deployment, self } = options;
    const [report, remote] = await Promise.all([self.readiness(), deployment ? deployment.services() : []]);
    const now = Date.now();
    const rows = serviceRowsOf(options.topology, options.local, selfStatus(report, self.instanceId, now), remote);
    return c.html(render(c, 'Instances', instancesBody(rows, deployment !== undefined, now)));
  });

  routes.get(`${dashboardBase}/outbox`, viewing, async (c) => {
    const { outboxes } = options;
    if (!outboxes) return c.html(render(c, 'Outbox', html`<p>This service runs no module, so it has no outbox.</p>`));
    const replayed = c.req.query('replayed');
    const notice = replayed === undefined ? undefined : replayed === 'none' ? 'That row is no longer dead (replayed already?).' : `Row ${replayed} is back in line for delivery.`;
    return c.html(render(c, 'Outbox', outboxBody(await outboxStatus(outboxes), notice)));
  });

  routes.post(`${dashboardBase}/outbox/replay`, ...formPost(), admins, async (c) => {
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

  routes.get(`${dashboardBase}/traces`, viewing, async (c) => {
    const search = c.req.query('q')?.trim() ?? '';
    const spans = options.spans.spans();
    const kept = { spans: spans.length, capacity: options.spans.capacity };
    const query = { search, hidden: [dashboardBase], limit: listedTraces };
    if (!options.deployment) return c.html(render(c, 'Recent traces', tracesBody(recentTraces(spans, query), search, kept)));
    // The other gateway replicas' latest requests too (a load balancer spreads them), and for a
    // search the traces the other instances' spans match: an order id, say, is an attribute of
    // the orders service's spans only.
    const [replicas, elsewhere] = await Promise.all([options.deployment.replicasRecentSpans(), search === '' ? undefined : options.deployment.matchingTraces(search)]);
    const traces = recentTraces(mergedTrace(spans, replicas), elsewhere ? { ...query, alsoMatching: elsewhere.traceIds } : query);
    const unanswered = [...new Map([...replicas.unanswered, ...(elsewhere?.unanswered ?? [])].map((one) => [one.url, one])).values()];
    return c.html(render(c, 'Recent traces', tracesBody(traces, search, kept, unanswered)));
  });

  routes.get(`${dashboardBase}/traces/:traceId`, viewing, async (c) => {
    const traceId = c.req.param('traceId').toLowerCase();
    if (!traceIdPattern.test(traceId)) throw ValidationFailed.create('traceId: 32 hexadecimal digits');
    const others = options.deployment ? await options.deployment.traceSpans(traceId) : noOtherServices;
    return c.html(render(c, 'Trace', traceBody(traceId, waterfallOf(mergedTrace(options.spans.trace(traceId), others)), others.unanswered)));
  });

  return routes;
};
