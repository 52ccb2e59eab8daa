/**
 * @module The public HTTP edge: routing, request ids, body limits and problem+json errors.
 *
 * The gateway calls modules only through their contracts' APIs, handed to it by the
 * composition root; it neither knows nor cares whether a call stays in this process.
 */
import { Hono, type Context } from 'hono';
import { requestId } from 'hono/request-id';
import type { AccessTokens } from '../kernel/access-token.js';
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import { commonErrors, NotFound, PayloadTooLarge, toSeamError, type SeamError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { catalogContract } from '../modules/catalog/contract.js';
import { identityContract } from '../modules/identity/contract.js';
import { inventoryContract } from '../modules/inventory/contract.js';
import { notificationsContract } from '../modules/notifications/contract.js';
import { ordersContract } from '../modules/orders/contract.js';
import { shippingContract } from '../modules/shipping/contract.js';
import { accessLog } from './access-log.js';
import { limitBody } from './body-limit.js';
import { catalogRoutes } from './catalog.routes.js';
import { healthRoutes, type ReadinessProbe } from './health.routes.js';
import { identityRoutes } from './identity.routes.js';
import { inventoryRoutes } from './inventory.routes.js';
import { notificationsRoutes } from './notifications.routes.js';
import { orderRoutes } from './orders.routes.js';
import { shippingRoutes } from './shipping.routes.js';
import { traceContext } from './trace-context.js';
import { errorTitles, problemResponse, toProblem } from './problem.js';

export interface GatewayOptions {
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly readiness: ReadinessProbe;
  /** Contracts whose declared errors the gateway may meet, for problem titles. */
  readonly contracts: readonly AnyContract[];
  /** The API of a contract, wherever it runs. */
  readonly resolve: <C extends AnyContract>(contract: C) => ContractApi<C>;
  readonly tokens: AccessTokens;
}

export const createGateway = (options: GatewayOptions): Hono => {
  const { logger } = options;
  const titles = errorTitles(options.contracts, commonErrors);
  const app = new Hono();

  app.use(requestId());
  // Before the access log, so its line carries the trace id too.
  app.use(traceContext());
  app.use(accessLog(logger));

  /**
   * The problem response for `error`. It is a fresh Response, which drops the headers the
   * middleware prepared on the context, so the request id header is set again here.
   */
  const problemFor = (c: Context, error: SeamError): Response => {
    const id = c.get('requestId') as string | undefined;
    const response = problemResponse(toProblem(error, { instance: c.req.path, requestId: id, titles }));
    if (id !== undefined) response.headers.set('x-request-id', id);
    return response;
  };

  app.onError((error, c) => {
    const seamError = toSeamError(error);
    if (seamError.status >= 500) logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    return problemFor(c, seamError);
  });
  app.notFound((c) => problemFor(c, NotFound.create(`No route for ${c.req.method} ${c.req.path}`)));

  app.route('/', healthRoutes(options.readiness));

  const api = new Hono();
  api.use(
    limitBody({
      maxSize: options.bodyLimitBytes,
      onError: () => {
        throw PayloadTooLarge.create(`The request body exceeds ${options.bodyLimitBytes} bytes`);
      },
    }),
  );
  const { resolve, tokens } = options;
  const catalog = resolve(catalogContract);
  const inventory = resolve(inventoryContract);
  const shipping = resolve(shippingContract);
  api.route('/', catalogRoutes({ catalog, inventory, tokens }));
  api.route('/', identityRoutes(resolve(identityContract), tokens));
  api.route('/', inventoryRoutes(inventory, catalog, tokens));
  api.route('/', shippingRoutes(shipping, tokens));
  api.route('/', orderRoutes({ orders: resolve(ordersContract), shipping, catalog, tokens }));
  api.route('/', notificationsRoutes(resolve(notificationsContract), tokens));
  app.route('/api/v1', api);

  return app;
};
