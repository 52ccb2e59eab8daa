/**
 * @module The circuit breakers of this process's remote bindings, by target service: the state
 * functions the bindings hand over, asked again when read, so the dashboard and the
 * `seam_breaker_open` gauge show what the breakers say now and keep no state of their own.
 */
export interface BreakerReading {
  /** The contract the binding calls: `catalog/v1`. */
  readonly contract: string;
  /** `closed`, `open`, `half-open` or `isolated`, as the binding reports it. */
  readonly state: string;
}

/** A breaker with the service its binding calls. */
export interface TargetedBreakerReading extends BreakerReading {
  readonly target: string;
}

export interface BreakerStates {
  /** Told of a binding's breaker, as `RemoteContractOptions.watchBreaker` is. */
  watch(target: string, contract: { readonly id: string }, state: () => string): void;
  /** The breakers of this process's bindings to `target`, by contract; empty when it calls none of its contracts. */
  of(target: string): BreakerReading[];
  /** Every breaker of this process's bindings. */
  all(): TargetedBreakerReading[];
}

export const breakerStates = (): BreakerStates => {
  const byTarget = new Map<string, Map<string, () => string>>();
  return {
    watch(target, contract, state) {
      const contracts = byTarget.get(target) ?? new Map<string, () => string>();
      contracts.set(contract.id, state);
      byTarget.set(target, contracts);
    },
    of: (target) => [...(byTarget.get(target) ?? [])].map(([contract, state]) => ({ contract, state: state() })),
    all: () => [...byTarget].flatMap(([target, contracts]) => [...contracts].map(([contract, state]) => ({ target, contract, state: state() }))),
  };
};
