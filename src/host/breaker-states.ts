/**
 * @module The circuit breakers of this process's remote bindings, readable by target service:
 * the same state functions the bindings hand to metrics (`seam_breaker_open`), asked again
 * when read, so the dashboard shows what the breakers say now and keeps no state of its own.
 */
export interface BreakerReading {
  /** The contract the binding calls: `catalog/v1`. */
  readonly contract: string;
  /** `closed`, `open`, `half-open` or `isolated`, as the binding reports it. */
  readonly state: string;
}

export interface BreakerStates {
  /** Told of a binding's breaker, as `RemoteContractOptions.watchBreaker` is. */
  watch(target: string, contract: { readonly id: string }, state: () => string): void;
  /** The breakers of this process's bindings to `target`, by contract; empty when it calls none of its contracts. */
  of(target: string): BreakerReading[];
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
  };
};
