/**
 * @module Liveness and readiness probes.
 *
 * `/healthz` says the process serves HTTP (restart it if not); `/readyz` says it can do its
 * work: the database answers and every migration is applied (send it traffic only then).
 */
import { Hono } from 'hono';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, string>;
}

export type ReadinessProbe = () => Promise<ReadinessReport>;

export const healthRoutes = (readiness: ReadinessProbe): Hono => {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) => {
    const report = await readiness();
    return c.json({ status: report.ready ? 'ready' : 'not ready', checks: report.checks }, report.ready ? 200 : 503);
  });
  return routes;
};
