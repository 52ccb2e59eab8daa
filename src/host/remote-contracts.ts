/**
 * @module Binds the contracts this service does not run to the services that do: discovery
 * finds their instances, a balancer per service spreads calls, and each contract gets the
 * resilient HTTP binding (timeout, retries for idempotent methods, breaker, bulkhead).
 */
import type { Dispatcher } from 'undici';
import type { DeploymentConfig } from '../kernel/config.js';
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import type { Logger } from '../kernel/logger.js';
import type { AnyModule } from '../kernel/module.js';
import type { ModuleHost } from '../kernel/module-host.js';
import type { Discovery } from '../transport/discovery/discovery.js';
import { staticDiscovery } from '../transport/discovery/discovery.js';
import { dnsDiscovery } from '../transport/discovery/dns-discovery.js';
import { redisDiscovery } from '../transport/discovery/redis-registry.js';
import type { ServiceCredentials } from '../transport/http/service-credential.js';
import { Balancer } from '../transport/resilience/balancer.js';
import { bindRemote } from '../transport/resilience/remote-binding.js';
import type { ServiceSpec, Topology } from './topology.js';

const registryRefreshMs = 1000;
const dnsRefreshMs = 5000;

/** Where this process looks other services up, as the deployment configures it. */
export const openDiscovery = async (deployment: DeploymentConfig, topology: Topology, logger: Logger): Promise<Discovery> => {
  const { discovery } = deployment;
  switch (discovery.kind) {
    case 'redis': {
      if (deployment.redisUrl === undefined) throw new Error('Redis discovery needs REDIS_URL');
      return redisDiscovery({ redisUrl: deployment.redisUrl, refreshMs: registryRefreshMs, logger: logger.child({ component: 'discovery' }) });
    }
    case 'dns': {
      const services = Object.fromEntries(
        topology.services.map((service) => [
          service.name,
          { name: discovery.nameTemplate.replaceAll('{service}', service.name), record: 'A' as const, port: discovery.port },
        ]),
      );
      const dns = dnsDiscovery({
        services,
        refreshMs: dnsRefreshMs,
        ...(discovery.servers ? { servers: discovery.servers } : {}),
        // Every service of a deployment serves TLS or none does: they share the TLS settings.
        scheme: deployment.tls ? 'https' : 'http',
        logger: logger.child({ component: 'discovery' }),
      });
      await dns.refresh();
      return dns;
    }
    case 'static':
      return staticDiscovery(discovery.services);
  }
};

export interface RemoteContractOptions {
  readonly topology: Topology;
  readonly local: ServiceSpec;
  readonly modules: readonly AnyModule[];
  readonly discovery: Discovery;
  readonly credentials: ServiceCredentials;
  readonly timeoutMs: number;
  /** Connection pools for the calls (an agent trusting the deployment's CA, with TLS); the shared plain one when unset. */
  readonly dispatcher?: Dispatcher;
  readonly logger: Logger;
  /** Wraps each remote API (metrics); identity when unset. */
  readonly instrument?: <C extends AnyContract>(contract: C, api: ContractApi<C>) => ContractApi<C>;
  /** Told of each binding's breaker, to make its state observable. */
  readonly watchBreaker?: (target: string, contract: AnyContract, state: () => string) => void;
}

/**
 * Binds every contract run by another service into `host`, so local modules, seeds and the
 * gateway reach it like a local one. Bindings are lazy: nothing connects until a call.
 */
export const bindRemoteContracts = (host: ModuleHost, options: RemoteContractOptions): void => {
  const byName = new Map(options.modules.map((module) => [module.name, module]));
  for (const service of options.topology.services) {
    if (service.name === options.local.name || service.modules.length === 0) continue;
    // One balancer per service: its instances' health is shared by all its contracts.
    const balancer = new Balancer(options.discovery, service.name, { strategy: 'least-outstanding', ejectAfterFailures: 3, ejectForMs: 5000 });
    for (const name of service.modules) {
      const module = byName.get(name);
      if (!module) throw new Error(`Topology names module ${name}, which this build does not have`);
      const binding = bindRemote(module.provides, {
        service: service.name,
        balancer,
        credentials: options.credentials,
        timeoutMs: options.timeoutMs,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        logger: options.logger.child({ component: 'remote', target: service.name }),
      });
      host.useRemote(module.provides, options.instrument ? options.instrument(module.provides, binding.api) : binding.api);
      options.watchBreaker?.(service.name, module.provides, () => binding.breakerState());
    }
  }
};
