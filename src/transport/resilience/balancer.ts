/**
 * @module Load balancing over a service's instances: round-robin, random, or least
 * outstanding requests by the power of two random choices; an instance that fails several
 * times in a row is ejected for a cool-down, so calls stop going to a dead replica.
 */
import type { Discovery, ServiceInstance } from '../discovery/discovery.js';

export type BalancingStrategy = 'round-robin' | 'random' | 'least-outstanding';

export interface BalancerOptions {
  readonly strategy: BalancingStrategy;
  /** Consecutive failures that eject an instance. */
  readonly ejectAfterFailures: number;
  /** How long an ejected instance gets no calls. */
  readonly ejectForMs: number;
  /** Random source in [0, 1), injectable for tests. */
  readonly random?: () => number;
}

interface InstanceHealth {
  outstanding: number;
  consecutiveFailures: number;
  ejectedUntil: number;
}

export interface Lease {
  readonly instance: ServiceInstance;
  /** Reports how the call went; call exactly once. */
  done(outcome: 'success' | 'failure'): void;
}

/** One call's hold on an instance: counted as outstanding until `done` reports how it went. */
class InstanceLease implements Lease {
  #settled = false;

  constructor(
    readonly instance: ServiceInstance,
    private readonly health: InstanceHealth,
    private readonly options: BalancerOptions,
  ) {}

  done(outcome: 'success' | 'failure'): void {
    if (this.#settled) return;
    this.#settled = true;
    const health = this.health;
    health.outstanding -= 1;
    if (outcome === 'success') {
      health.consecutiveFailures = 0;
      health.ejectedUntil = 0;
    } else if ((health.consecutiveFailures += 1) >= this.options.ejectAfterFailures) {
      health.ejectedUntil = Date.now() + this.options.ejectForMs;
    }
  }
}

export class Balancer {
  readonly #health = new Map<string, InstanceHealth>();
  #next = 0;

  constructor(
    private readonly discovery: Discovery,
    private readonly service: string,
    private readonly options: BalancerOptions,
  ) {}

  /**
   * An instance for the next call, avoiding `exclude` (instances a retry already tried) and
   * ejected ones; if every instance is ejected, the one whose ejection ends first gets a chance.
   * This runs on every remote call, so the usual case (no retry, nothing ejected) copies no list.
   */
  pick(exclude?: ReadonlySet<string>): Lease | undefined {
    const all = this.discovery.instances(this.service);
    const now = Date.now();
    // Once a retry has tried every instance, any may be tried again.
    const fresh = exclude === undefined || exclude.size === 0 ? all : all.filter((instance) => !exclude.has(instance.id));
    const untried = fresh.length > 0 ? fresh : all;
    const healthy = untried.every((instance) => this.#healthOf(instance.id).ejectedUntil <= now)
      ? untried
      : untried.filter((instance) => this.#healthOf(instance.id).ejectedUntil <= now);
    const candidates = healthy.length > 0 ? healthy : [...untried].sort((a, b) => this.#healthOf(a.id).ejectedUntil - this.#healthOf(b.id).ejectedUntil).slice(0, 1);
    const instance = this.#choose(candidates);
    if (!instance) return undefined;
    const health = this.#healthOf(instance.id);
    health.outstanding += 1;
    return new InstanceLease(instance, health, this.options);
  }

  /** True when discovery knows at least one instance of the service. */
  hasInstances(): boolean {
    return this.discovery.instances(this.service).length > 0;
  }

  /** Outstanding calls per instance id, for metrics and tests. */
  outstanding(): Record<string, number> {
    return Object.fromEntries([...this.#health].map(([id, health]) => [id, health.outstanding]));
  }

  #choose(candidates: readonly ServiceInstance[]): ServiceInstance | undefined {
    if (candidates.length <= 1) return candidates[0];
    const random = this.options.random ?? Math.random;
    switch (this.options.strategy) {
      case 'round-robin':
        return candidates[(this.#next = (this.#next + 1) % candidates.length)];
      case 'random':
        return candidates[Math.floor(random() * candidates.length)];
      case 'least-outstanding': {
        // Two random choices, keep the less busy: nearly as good as scanning all, and it
        // never herds every caller onto the same momentarily idle instance.
        const i = Math.floor(random() * candidates.length);
        let j = Math.floor(random() * (candidates.length - 1));
        if (j >= i) j += 1; // two distinct instances, each pair equally likely
        const first = candidates[i]!;
        const second = candidates[j]!;
        return this.#healthOf(first.id).outstanding <= this.#healthOf(second.id).outstanding ? first : second;
      }
    }
  }

  #healthOf(id: string): InstanceHealth {
    let health = this.#health.get(id);
    if (!health) this.#health.set(id, (health = { outstanding: 0, consecutiveFailures: 0, ejectedUntil: 0 }));
    return health;
  }
}
