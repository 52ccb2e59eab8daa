/**
 * @module Liveness and readiness probes.
 *
 * `/healthz` says the process serves HTTP (restart it if not); `/readyz` says it can do its
 * work: the database answers and every migration is applied (send it traffic only then).
 * Once the process is shutting down `/readyz` fails at once, while it still serves, so load
 * balancers stop sending before it stops accepting.
 */
import { Hono } from 'hono';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, string>;
  /** Which process answers, so whoever started it can tell its answer from another process's on the port. */
  readonly instance?: string;
}

export type ReadinessProbe = () => Promise<ReadinessReport>;

/** `probe`, except that it reports not ready (without asking) once `stopping()` is true. */
export const unlessStopping =
  (stopping: () => boolean, probe: ReadinessProbe): ReadinessProbe =>
  async () =>
    stopping() ? { ready: false, checks: { shutdown: 'draining' } } : probe();

export const healthRoutes = (readiness: ReadinessProbe): Hono => {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) => {
    const report = await readiness();
    const instance = report.instance === undefined ? {} : { instance: report.instance };
    return c.json({ status: report.ready ? 'ready' : 'not ready', checks: report.checks, ...instance }, report.ready ? 200 : 503);
  });
  return routes;
};
