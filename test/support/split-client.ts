/**
 * @module A test's own line into a split run: contracts bound remotely from the test process,
 * with the same discovery, credential and binding the services use on each other. Services
 * accept calls only from services allowed the contract, so each contract is called in the
 * name of one that is (payments as orders, say).
 */
import { callerPermissionsOf } from '../../src/host/caller-permissions.js';
import { application } from '../../src/application.js';
import { serviceRunning, type Topology } from '../../src/host/topology.js';
import type { AnyContract, ContractApi } from '../../src/kernel/contract.js';
import { createLogger } from '../../src/kernel/logger.js';
import { redisDiscovery } from '../../src/transport/discovery/redis-registry.js';
import { serviceCredentials } from '../../src/transport/http/service-credential.js';
import { Balancer } from '../../src/transport/resilience/balancer.js';
import { bindRemote } from '../../src/transport/resilience/remote-binding.js';

interface SplitLike {
  readonly topology: Topology;
  readonly redisUrl: string;
  readonly sharedEnv: Readonly<Record<string, string>>;
}

export const remoteResolver = async (split: SplitLike) => {
  const logger = createLogger({ level: 'silent' });
  const discovery = await redisDiscovery({ redisUrl: split.redisUrl, refreshMs: 250, logger });
  const permissions = Object.entries(callerPermissionsOf(split.topology, application.modules, application.edge.requires));
  const credentialsToCall = (contract: AnyContract) => {
    const caller = permissions.find(([, contracts]) => contracts.includes(contract.name))?.[0];
    if (caller === undefined) throw new Error(`No service of the topology may call ${contract.id}`);
    return serviceCredentials({ secret: split.sharedEnv['SEAM_SERVICE_SECRET']!, service: caller });
  };
  return {
    resolve: <C extends AnyContract>(contract: C): ContractApi<C> => {
      const module = application.modules.find((candidate) => candidate.provides.id === contract.id);
      if (!module) throw new Error(`No module provides ${contract.id}`);
      const service = serviceRunning(split.topology, module.name).name;
      const balancer = new Balancer(discovery, service, { strategy: 'round-robin', ejectAfterFailures: 3, ejectForMs: 1000 });
      return bindRemote(contract, { service, balancer, credentials: credentialsToCall(contract), timeoutMs: 10_000, logger }).api;
    },
    close: () => discovery.close(),
  };
};
