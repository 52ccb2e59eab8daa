/**
 * @module Operator endpoints (/metrics): where they are served and who may read them.
 *
 * Metrics tell an attacker what runs and how busy it is, so they stay off the public path:
 * on a port of their own (SEAM_OPERATOR_PORT, which the ingress never routes to), behind a
 * bearer token (SEAM_OPERATOR_TOKEN), or both.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppConfig } from '../kernel/config.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * Where /metrics is served:
 * - `operator-port`: on SEAM_OPERATOR_PORT only (with the token, when one is set);
 * - `service-port`: on the service's own port (with the token, when one is set);
 * - `nowhere`: a production gateway with neither set, whose port is public.
 */
export type MetricsPlacement =
  | { readonly where: 'operator-port'; readonly port: number; readonly token?: string }
  | { readonly where: 'service-port'; readonly token?: string }
  | { readonly where: 'nowhere' };

/**
 * An operator port wins. Without one, a token guards /metrics on the service's port. With
 * neither, a production gateway serves no metrics (its port is public); any other service
 * keeps them open on its port, which is not public (it serves RPC to the deployment, and
 * Prometheus scrapes it), and so does development, where the port is loopback.
 */
export const metricsPlacement = (config: Pick<AppConfig, 'env' | 'operator'>, service: { readonly gateway: boolean }): MetricsPlacement => {
  const { port, token } = config.operator;
  const guard = token === undefined ? {} : { token };
  if (port !== undefined) return { where: 'operator-port', port, ...guard };
  if (token !== undefined || !(service.gateway && config.env === 'production')) return { where: 'service-port', ...guard };
  return { where: 'nowhere' };
};

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** 401 problem+json unless the request carries `Authorization: Bearer <token>`. */
export const bearerToken = (token: string): MiddlewareHandler => {
  // Compared as digests of equal length, in constant time: the answer's timing says nothing of the token.
  const expected = digest(token);
  return async (c, next) => {
    const given = /^Bearer (\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    const problem = {
      type: 'urn:seam:problem:unauthorized',
      title: 'Authentication is required',
      status: 401,
      detail: 'Operator endpoints need Authorization: Bearer <SEAM_OPERATOR_TOKEN>',
      instance: c.req.path,
      code: 'UNAUTHORIZED',
    };
    return c.body(JSON.stringify(problem), 401, { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' });
  };
};

/** /metrics in Prometheus text format, behind `token` when one is given. */
export const operatorRoutes = (metrics: ServiceMetrics, token?: string): Hono => {
  const routes = new Hono();
  if (token !== undefined) routes.use('/metrics', bearerToken(token));
  routes.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  return routes;
};
