/**
 * @module The dashboard's instances page: for every service of the topology, the instances
 * running it (this process, and in a split what discovery lists now or listed lately), each
 * with its readiness, and the state of this process's circuit breakers towards the service.
 */
import { html } from 'hono/html';
import type { ReadinessReport } from '../../gateway/health.routes.js';
import type { BreakerReading } from '../breaker-states.js';
import type { ServiceSpec, Topology } from '../topology.js';
import type { InstanceStatus, RemoteServiceStatus } from './deployment-view.js';
import type { Html } from './layout.js';
import { checksDetail } from './peer-requests.js';

export interface ServiceRow {
  readonly spec: ServiceSpec;
  /** Whether this process runs the service. */
  readonly here: boolean;
  readonly instances: readonly InstanceStatus[];
  readonly breakers: readonly BreakerReading[];
}

/** This process as an instance: its own readiness, asked in process. */
export const selfStatus = (report: ReadinessReport, instanceId: string, nowMs: number): InstanceStatus => ({
  id: instanceId,
  url: 'this process',
  name: report.instance ?? instanceId,
  lastSeenMs: nowMs,
  health: report.ready
    ? { state: 'healthy', instance: report.instance }
    : { state: 'not ready', instance: report.instance, detail: checksDetail(report.checks) },
});

/**
 * A row per service of `topology`, in its order: for `local`, this process first and then its
 * other instances `remote` found; for the others, what `remote` found.
 */
export const serviceRowsOf = (topology: Topology, local: ServiceSpec, self: InstanceStatus, remote: readonly RemoteServiceStatus[]): ServiceRow[] =>
  topology.services.map((spec) => {
    const found = remote.find((status) => status.service === spec.name);
    if (spec.name === local.name) return { spec, here: true, instances: [self, ...(found?.instances ?? [])], breakers: [] };
    return { spec, here: false, instances: found?.instances ?? [], breakers: found?.breakers ?? [] };
  });

const seconds = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))} s`;

const healthCell = (instance: InstanceStatus, nowMs: number): Html => {
  const { health } = instance;
  switch (health.state) {
    case 'healthy':
      return html`<span class="ok">healthy</span>`;
    case 'not ready':
      return html`<span class="failed">not ready</span> <span class="muted">${health.detail}</span>`;
    case 'unreachable':
      return html`<span class="failed">unreachable</span> <span class="muted">${health.detail}</span>`;
    case 'gone':
      return html`<span class="failed">gone</span> <span class="muted">${health.detail}; last listed ${seconds(nowMs - instance.lastSeenMs)} ago</span>`;
  }
};

const breakersCell = (row: ServiceRow): Html => {
  if (row.here) return html`<span class="muted">in process</span>`;
  if (row.breakers.length === 0) return html`<span class="muted">not called from here</span>`;
  return html`${row.breakers.map(
    (breaker, index) => html`${index > 0 ? html`<br>` : ''}<code>${breaker.contract}</code>: <span class="${breaker.state === 'closed' ? 'ok' : 'failed'}" data-breaker="${breaker.contract}">${breaker.state}</span>`,
  )}`;
};


const serviceRows = (row: ServiceRow, nowMs: number): Html => {
  const span = Math.max(1, row.instances.length);
  const head = html`<td rowspan="${span}"><strong>${row.spec.name}</strong>${row.spec.gateway ? html`<br><span class="muted">gateway</span>` : ''}</td>
    <td rowspan="${span}">${row.spec.modules.length === 0 ? html`<span class="muted">none</span>` : row.spec.modules.join(', ')}</td>
    <td rowspan="${span}">${row.spec.replicas}</td>`;
  const tail = html`<td rowspan="${span}">${breakersCell(row)}</td>`;
  if (row.instances.length === 0) {
    return html`<tr data-service="${row.spec.name}" data-health="none">${head}<td colspan="2" class="failed">no instance listed by discovery</td>${tail}</tr>`;
  }
  return html`${row.instances.map(
    (instance, index) => html`<tr data-service="${row.spec.name}" data-url="${instance.url}" data-instance="${instance.name ?? ''}" data-health="${instance.health.state}">
      ${index === 0 ? head : ''}
      <td><code>${instance.url}</code><br><span class="muted">${instance.name ?? instance.id}</span></td>
      <td>${healthCell(instance, nowMs)}</td>
      ${index === 0 ? tail : ''}
    </tr>`,
  )}`;
};

/** The instances page's body; `distributed` says whether other processes run part of the application. */
export const instancesBody = (rows: readonly ServiceRow[], distributed: boolean, nowMs: number): Html => html`
  <p class="muted">
    ${distributed
      ? 'Each instance was asked for its readiness (/readyz) as this page was drawn; an instance discovery stopped listing stays here for a minute, marked gone. Breakers are this process’s, towards each service.'
      : 'Every module runs in this process: there is no other instance to discover and no remote call to break.'}
  </p>
  <table id="instances">
    <tr><th>Service</th><th>Modules</th><th>Replicas</th><th>Instance</th><th>Health</th><th>Breakers</th></tr>
    ${rows.map((row) => serviceRows(row, nowMs))}
  </table>`;
