import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { callerPermissionsOf } from './caller-permissions.js';
import { application } from '../application.js';
import { loadTopology, monolithTopology } from './topology.js';

const moduleNames = application.modules.map((module) => module.name);
const split = loadTopology(fileURLToPath(new URL('../../deploy/split/topology.yaml', import.meta.url)), moduleNames);

describe('caller permissions of a topology', () => {
  it('lets each service of the split call what its modules require, its seeds included, and the gateway what its routes use', () => {
    const permissions = callerPermissionsOf(split, application.modules, application.edge.requires);
    // The shop's own services exactly; a module added since (seam new module) may only add to the gateway's list and services of its own.
    expect(permissions['gateway']).toEqual(expect.arrayContaining(['catalog', 'identity', 'inventory', 'notifications', 'orders', 'shipping']));
    expect(permissions['gateway']).not.toContain('payments');
    expect(permissions).toMatchObject({
      identity: [],
      catalog: [],
      // Not for its logic: its sample-data seed stocks the catalog's products.
      inventory: ['catalog'],
      payments: [],
      shipping: [],
      orders: ['catalog', 'inventory', 'payments', 'shipping'],
      notifications: [],
    });
  });

  it('lets only orders touch payments: no other service, and not the public edge', () => {
    const permissions = callerPermissionsOf(split, application.modules, application.edge.requires);
    expect(Object.entries(permissions).filter(([, contracts]) => contracts.includes('payments')).map(([caller]) => caller)).toEqual(['orders']);
  });

  it('leaves out what a service runs itself: two modules together call each other in process', () => {
    const together = { source: 'test', services: [{ name: 'shop', modules: moduleNames, gateway: true, replicas: 1 }] };
    expect(callerPermissionsOf(together, application.modules, application.edge.requires)).toEqual({ shop: [] });
    expect(callerPermissionsOf(monolithTopology(moduleNames, 'shop'), application.modules, application.edge.requires)).toEqual({ [monolithTopology(moduleNames, 'shop').services[0]!.name]: [] });
  });
});
