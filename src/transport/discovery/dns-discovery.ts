/**
 * @module DNS discovery: A records (a Kubernetes headless Service gives one per ready pod)
 * or SRV records (host and port per instance), re-resolved on an interval.
 */
import { promises as dns } from 'node:dns';
import type { Logger } from '../../kernel/logger.js';
import type { Discovery, ServiceInstance } from './discovery.js';

export interface DnsTarget {
  /** A name to resolve: `inventory.seam.svc.cluster.local`, or `_http._tcp.inventory...` for SRV. */
  readonly name: string;
  readonly record: 'A' | 'SRV';
  /** The port for A records (SRV records carry their own). */
  readonly port?: number;
}

/** The lookups DNS discovery makes, injectable so tests need no DNS server. */
export interface DnsResolver {
  resolve4(name: string): Promise<string[]>;
  resolveSrv(name: string): Promise<{ name: string; port: number }[]>;
}

export interface DnsDiscoveryOptions {
  readonly services: Readonly<Record<string, DnsTarget>>;
  readonly refreshMs: number;
  readonly logger: Logger;
  readonly resolver?: DnsResolver;
}

export interface DnsDiscovery extends Discovery {
  /** Resolves every service once; the first refresh, awaited at start. */
  refresh(): Promise<void>;
}

export const dnsDiscovery = (options: DnsDiscoveryOptions): DnsDiscovery => {
  const resolver = options.resolver ?? dns;
  const known = new Map<string, ServiceInstance[]>();

  const resolveTarget = async (target: DnsTarget): Promise<ServiceInstance[]> => {
    if (target.record === 'SRV') {
      const records = await resolver.resolveSrv(target.name);
      return records.map((record) => ({ id: `${record.name}:${record.port}`, url: `http://${record.name}:${record.port}` }));
    }
    const addresses = await resolver.resolve4(target.name);
    return addresses.map((address) => ({ id: `${address}:${target.port ?? 80}`, url: `http://${address}:${target.port ?? 80}` }));
  };

  const refresh = async (): Promise<void> => {
    await Promise.all(
      Object.entries(options.services).map(async ([service, target]) => {
        try {
          known.set(service, (await resolveTarget(target)).sort((a, b) => a.id.localeCompare(b.id)));
        } catch (error) {
          // A failed lookup keeps the last answer: a DNS hiccup must not empty the pool.
          options.logger.warn({ err: error, service, name: target.name }, 'DNS discovery lookup failed; keeping the last known instances');
        }
      }),
    );
  };

  const timer = setInterval(() => void refresh(), options.refreshMs);
  timer.unref();
  return {
    instances: (service) => known.get(service) ?? [],
    refresh,
    close: async () => clearInterval(timer),
  };
};
