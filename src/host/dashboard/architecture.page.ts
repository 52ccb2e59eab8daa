/**
 * @module The dashboard's architecture page: the services of the topology and the modules
 * each runs, every module's contract (methods, events), what it requires and subscribes to,
 * and the calls and event flows between modules, all read from the declarations.
 */
import { html } from 'hono/html';
import type { Application } from '../application.js';
import { moduleGraph, type GraphEdge } from '../topology-graph.js';
import type { Topology } from '../topology.js';
import type { Html } from './layout.js';

const list = (items: readonly string[]): Html => (items.length === 0 ? html`<span class="muted">none</span>` : html`${items.map((item, index) => html`${index > 0 ? ', ' : ''}<code>${item}</code>`)}`);

const servicesTable = (topology: Topology): Html => html`
  <h2>Services</h2>
  <table id="services">
    <tr><th>Service</th><th>Role</th><th>Replicas</th><th>Modules</th></tr>
    ${topology.services.map(
      (service) => html`<tr>
        <td><strong>${service.name}</strong></td>
        <td>${service.gateway ? 'gateway (public API)' : 'modules only'}</td>
        <td>${service.replicas}</td>
        <td>${list(service.modules)}</td>
      </tr>`,
    )}
  </table>`;

const modulesTable = (application: Application, topology: Topology): Html => {
  const serviceOf = new Map(topology.services.flatMap((service) => service.modules.map((module) => [module, service.name] as const)));
  return html`
  <h2>Modules</h2>
  <table id="modules">
    <tr><th>Module</th><th>Service</th><th>Provides</th><th>Methods</th><th>Events</th><th>Requires</th><th>Subscribes to</th></tr>
    ${application.modules.map(
      (module) => html`<tr data-module="${module.name}">
        <td><strong>${module.name}</strong></td>
        <td>${serviceOf.get(module.name) ?? '?'}</td>
        <td><code>${module.provides.id}</code></td>
        <td>${list(Object.keys(module.provides.methods))}</td>
        <td>${list(Object.keys(module.provides.events))}</td>
        <td>${list(Object.entries(module.requires).map(([local, contract]) => `${local}: ${contract.id}`))}</td>
        <td>${list((module.subscribes ?? []).map((subscription) => subscription.type))}</td>
      </tr>`,
    )}
  </table>`;
};

const edgesTable = (edges: readonly GraphEdge[]): Html => html`
  <h2>Who calls whom</h2>
  <p class="muted">Contract calls from each module's <code>requires</code> (and its seed's), event flows from each <code>subscribes</code>.</p>
  <table id="edges">
    <tr><th>From</th><th></th><th>To</th><th>What</th></tr>
    ${edges.map(
      (edge) => html`<tr>
        <td>${edge.from}</td>
        <td>${edge.kind === 'call' ? 'calls →' : 'events ⇢'}</td>
        <td>${edge.to}</td>
        <td>${list(edge.labels)}</td>
      </tr>`,
    )}
  </table>`;

/** The architecture page's body. */
export const architectureBody = (application: Application, topology: Topology): Html => html`
  ${servicesTable(topology)}
  ${modulesTable(application, topology)}
  ${edgesTable(moduleGraph(application))}`;
