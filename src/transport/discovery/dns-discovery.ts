/**
 * @module DNS discovery: A records (a Kubernetes headless Service gives one per ready pod)
 * or SRV records (host and port per instance), re-resolved when their answers expire.
 *
 * An A answer is asked again when its shortest TTL runs out, so a record that changes is
 * seen about as soon as DNS lets anyone see it. The TTL is clamped: a TTL of 0 must not
 * turn discovery into a busy loop against the DNS server, and a TTL of a day must not keep
 * a pod that died this morning in the pool. SRV answers reach node without TTLs, so they
 * (and resolvers that give none) are asked again every `refreshMs`.
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

/** An A record with the seconds its answer may be cached for. */
export interface AddressWithTtl {
  readonly address: string;
  readonly ttl: number;
}

/**
 * The lookups DNS discovery makes, injectable so tests can script answers. A resolver that
 * answers plain addresses (no TTLs) is asked again every `refreshMs`.
 */
export interface DnsResolver {
  resolve4(name: string, options: { ttl: true }): Promise<readonly (AddressWithTtl | string)[]>;
  resolveSrv(name: string): Promise<readonly { name: string; port: number }[]>;
}

export interface DnsDiscoveryOptions {
  readonly services: Readonly<Record<string, DnsTarget>>;
  /** The longest between two lookups of a name: the interval for SRV, the ceiling for A TTLs. */
  readonly refreshMs: number;
  /** The shortest between two lookups of a name, however short its TTL; default 1000. */
  readonly minRefreshMs?: number;
  /** DNS servers to ask (`10.0.0.10`, `127.0.0.1:5353`, `[::1]:53`); the system's when unset. */
  readonly servers?: readonly string[];
  /** The scheme of the instance URLs built; default `http`. */
  readonly scheme?: 'http' | 'https';
  readonly logger: Logger;
  /** Overrides `servers`. */
  readonly resolver?: DnsResolver;
}

export interface DnsDiscovery extends Discovery {
  /** Resolves every service now (the first refresh, awaited at start) and reschedules each. */
  refresh(): Promise<void>;
}

// Per server: give up on an unanswered query after 2 s and try each server twice, so a dead
// DNS server fails a lookup (keeping the last answer) in seconds, not after node's four tries.
const lookupTimeoutMs = 2000;
const lookupTries = 2;

/** A resolver that asks `servers` only, instead of the system's /etc/resolv.conf. */
const resolverFor = (servers: readonly string[]): DnsResolver => {
  const resolver = new dns.Resolver({ timeout: lookupTimeoutMs, tries: lookupTries });
  resolver.setServers([...servers]);
  return resolver;
};

interface Answer {
  readonly instances: ServiceInstance[];
  /** Seconds the answer may be trusted; undefined when the resolver gave no TTL. */
  readonly ttlSeconds: number | undefined;
}

export const dnsDiscovery = (options: DnsDiscoveryOptions): DnsDiscovery => {
  const resolver = options.resolver ?? (options.servers && options.servers.length > 0 ? resolverFor(options.servers) : dns);
  const scheme = options.scheme ?? 'http';
  const minRefreshMs = Math.min(options.minRefreshMs ?? 1000, options.refreshMs);
  const known = new Map<string, ServiceInstance[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  // The newest lookup started per service: an older one that answers late must not win.
  const generation = new Map<string, number>();
  let closed = false;

  const instance = (host: string, port: number): ServiceInstance => ({ id: `${host}:${port}`, url: `${scheme}://${host}:${port}` });

  const resolveTarget = async (target: DnsTarget): Promise<Answer> => {
    if (target.record === 'SRV') {
      const records = await resolver.resolveSrv(target.name);
      return { instances: records.map((record) => instance(record.name, record.port)), ttlSeconds: undefined };
    }
    const port = target.port ?? 80;
    const records = await resolver.resolve4(target.name, { ttl: true });
    let ttlSeconds: number | undefined;
    const instances = records.map((record) => {
      if (typeof record === 'string') return instance(record, port);
      ttlSeconds = Math.min(ttlSeconds ?? Number.POSITIVE_INFINITY, record.ttl);
      return instance(record.address, port);
    });
    return { instances, ttlSeconds };
  };

  const delayFor = (answer: Answer | undefined): number =>
    answer?.ttlSeconds === undefined ? options.refreshMs : Math.min(options.refreshMs, Math.max(minRefreshMs, answer.ttlSeconds * 1000));

  const schedule = (service: string, delayMs: number): void => {
    clearTimeout(timers.get(service));
    if (closed) return;
    const timer = setTimeout(() => void resolveService(service), delayMs);
    timer.unref();
    timers.set(service, timer);
  };

  const resolveService = async (service: string): Promise<void> => {
    const target = options.services[service];
    if (!target) return;
    const mine = (generation.get(service) ?? 0) + 1;
    generation.set(service, mine);
    let answer: Answer | undefined;
    try {
      answer = await resolveTarget(target);
    } catch (error) {
      // A failed lookup keeps the last answer: a DNS hiccup must not empty the pool. The
      // next try waits the full interval so a dead DNS server is not hammered.
      if (generation.get(service) === mine) {
        options.logger.warn({ err: error, target: service, name: target.name }, 'DNS discovery lookup failed; keeping the last known instances');
      }
    }
    if (generation.get(service) !== mine) return; // a newer lookup owns the answer and the timer
    if (answer) known.set(service, answer.instances.sort((a, b) => a.id.localeCompare(b.id)));
    schedule(service, delayFor(answer));
  };

  const refresh = async (): Promise<void> => {
    await Promise.all(Object.keys(options.services).map(resolveService));
  };

  // Until the first refresh, each service is looked up after the interval, as before TTLs.
  for (const service of Object.keys(options.services)) schedule(service, options.refreshMs);
  return {
    instances: (service) => known.get(service) ?? [],
    refresh,
    close: async () => {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
};
