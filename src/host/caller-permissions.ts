/**
 * @module Who may call what between the services of a topology, derived from what the code
 * declares: a service may call the contracts its modules require (for their logic and for
 * their sample-data seeds), and the gateway those its routes use (gatewayRequires).
 *
 * Events need no entry: they travel over queues, not RPC. Every service of the topology is a
 * known caller, also one that may call nothing, so its credential is a 403, not a 401.
 */
import type { AnyContract } from '../kernel/contract.js';
import type { AnyModule, Requirements } from '../kernel/module.js';
import type { CallerPermissions } from '../transport/http/caller-permissions.js';
import type { Topology } from './topology.js';

/** The contracts a module calls, by name: its requirements and its seed's. */
const contractsCalledBy = (module: AnyModule): AnyContract[] => [...Object.values(module.requires), ...(module.seed?.requires ?? [])];

/**
 * For each service of `topology`, the names of the contracts it may call on the others.
 * A module the topology names but `modules` lacks is ignored here; the topology check refuses it.
 */
export const callerPermissionsOf = (topology: Topology, modules: readonly AnyModule[], gatewayRequires: Requirements): CallerPermissions => {
  const byName = new Map(modules.map((module) => [module.name, module]));
  const permissions: Record<string, readonly string[]> = {};
  for (const service of topology.services) {
    const called = service.modules.flatMap((name) => {
      const module = byName.get(name);
      return module ? contractsCalledBy(module) : [];
    });
    if (service.gateway) called.push(...Object.values(gatewayRequires));
    // Its own contracts are never called over the network; leaving them out keeps the table honest.
    const own = new Set(service.modules.map((name) => byName.get(name)?.provides.name));
    permissions[service.name] = [...new Set(called.map((contract) => contract.name))].filter((name) => !own.has(name)).sort();
  }
  return permissions;
};
