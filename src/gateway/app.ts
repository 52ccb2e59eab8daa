/**
 * @module The public HTTP edge: routing, request ids, rate limits, body limits and problem+json errors.
 *
 * The gateway calls modules only through their contracts' APIs, handed to it by the
 * composition root; it neither knows nor cares whether a call stays in this process.
 */
import { Hono, type Context } from 'hono';
import { requestId } from 'hono/request-id';
import type { PublicEdge } from './public-edge.js';
import type { AccessTokens } from '../kernel/access-token.js';
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import { commonErrors, NotFound, toSeamError, type SeamError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { accessLog } from './access-log.js';
import { limitBody } from './body-limit.js';
import { docsRoutes } from './docs.routes.js';
import { edgeErrors, edgeProtection } from './edge-limits.js';
import { healthRoutes, type ReadinessProbe } from './health.routes.js';
import { memoryStore, type LimiterStore } from './limiter-store.js';
import { openApiRoutes, publicApiBase } from './openapi/document.js';
import { traceContext, type RequestObserver } from './trace-context.js';
import { errorResponse, errorTitles } from './problem.js';
import { PayloadTooLarge, protocolErrors } from './protocol-errors.js';
import { httpStatusOf, publicStatuses } from './public-status.js';
import type { EdgeConfig } from './settings.js';

export interface GatewayOptions {
  /** The application's routes, the contracts they call and its public statuses. */
  readonly publicEdge: PublicEdge;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly readiness: ReadinessProbe;
  /** Contracts whose declared errors the gateway may meet, for problem titles. */
  readonly contracts: readonly AnyContract[];
  /** The API of a contract, wherever it runs; asked only for those of the edge's `requires`. */
  readonly resolve: <C extends AnyContract>(contract: C) => ContractApi<C>;
  readonly tokens: AccessTokens;
  /** Rate limits and login throttling (see edge-limits.ts); none when absent. */
  readonly edge?: EdgeConfig;
  /** Where the edge counts: Redis, shared by every replica; this process's memory when absent. */
  readonly limitStore?: LimiterStore;
  /** Where `GET /` leads (in development, the API reference); without it `/` is a 404, as in production. */
  readonly homeRedirect?: string;
  /** Hears how each request went (route template, method, status, seconds): the request metrics. */
  readonly observeRequest?: RequestObserver;
}

export const createGateway = (options: GatewayOptions): Hono => {
  const { logger } = options;
  const titles = errorTitles(options.contracts, [...commonErrors, ...protocolErrors, ...edgeErrors]);
  const statuses = publicStatuses(options.publicEdge.statusByCode);
  const app = new Hono();

  app.use(requestId());
  // Before the access log, so its line carries the trace id too.
  app.use(traceContext(options.observeRequest));
  app.use(accessLog(logger));

  /**
   * The problem response for `error`. It is a fresh Response, which drops the headers the
   * middleware prepared on the context, so the request id header is set again here.
   */
  const problemFor = (c: Context, error: SeamError): Response => {
    const id = c.get('requestId') as string | undefined;
    const response = errorResponse(error, { instance: c.req.path, requestId: id, titles, statuses });
    if (id !== undefined) response.headers.set('x-request-id', id);
    return response;
  };

  app.onError((error, c) => {
    const seamError = toSeamError(error);
    if (httpStatusOf(seamError, statuses) >= 500) logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    return problemFor(c, seamError);
  });
  app.notFound((c) => problemFor(c, NotFound.create(`No route for ${c.req.method} ${c.req.path}`)));

  app.route('/', healthRoutes(options.readiness));
  app.route('/', docsRoutes({ documentUrl: `${publicApiBase}/openapi.json`, title: options.publicEdge.documentation.title }));
  const { homeRedirect } = options;
  if (homeRedirect !== undefined) app.get('/', (c) => c.redirect(homeRedirect, 302));

  const api = new Hono();
  const edge = options.edge
    ? edgeProtection({ config: options.edge, store: options.limitStore ?? memoryStore(), tokens: options.tokens, logger, onLimited: problemFor, routeLimits: options.publicEdge.routeLimits ?? [] })
    : undefined;
  // First: a client over its limit costs nothing more than the count.
  if (edge) api.route('/', edge.limits);
  api.use(
    limitBody({
      maxSize: options.bodyLimitBytes,
      onError: () => {
        throw PayloadTooLarge.create(`The request body exceeds ${options.bodyLimitBytes} bytes`);
      },
    }),
  );
  const { publicEdge } = options;
  // Only what the edge's `requires` declares: it is also what this edge may call in a split.
  const resolveDeclared = <C extends AnyContract>(contract: C): ContractApi<C> => {
    if (!Object.values(publicEdge.requires).some((declared) => declared.id === contract.id)) {
      throw new Error(`The public edge calls ${contract.id} without declaring it in its requires`);
    }
    return options.resolve(contract);
  };
  api.route('/', publicEdge.routes(resolveDeclared, { tokens: options.tokens, logins: edge?.logins }));
  // Last: the document describes every route registered before it.
  api.route('/', openApiRoutes(api, publicEdge.documentation));
  app.route(publicApiBase, api);

  return app;
};
