/**
 * @module Which services may call which contracts over RPC, as the server enforces it.
 *
 * The table comes from the composition root (derived from the topology and what each
 * module declares it requires); the transport only applies it, naming no module. A genuine
 * credential is not enough: it says who calls, the table says whether they may. A caller the
 * table does not know is refused as unauthenticated, one that may not call the contract as
 * forbidden, and both are logged, since either means a leaked secret or a wrong deployment.
 */
import { defineError, Unauthorized, type SeamError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';

/**
 * Every service that may call at all, each with the names of the contracts it may call. A
 * service missing from it is unknown; one with an empty list is known but may call nothing.
 */
export type CallerPermissions = Readonly<Record<string, readonly string[]>>;

export const CallerNotAllowed = defineError('CALLER_NOT_ALLOWED', 'forbidden', 'This service may not call that contract');

/** A refused call by a known caller, as metrics count it. */
export interface DeniedCall {
  readonly caller: string;
  /** `name/vN`, as the contract's other metrics label it. */
  readonly contract: string;
  readonly method: string;
}

export interface CallerGateOptions {
  readonly permissions: CallerPermissions;
  readonly logger: Logger;
  /** Told of every 403 (a counter). */
  readonly onDenied?: (denied: DeniedCall) => void;
}

export interface CallerGate {
  /** The callers that may call contract `name`: the set a method handler checks on every call. */
  callersOf(contractName: string): ReadonlySet<string>;
  /** True when `caller` is a service the deployment has. */
  isKnown(caller: string): boolean;
  /** Logs (and counts) a refused call and returns its answer: 401 for an unknown caller, else 403. */
  deny(caller: string, contract: string, method: string): SeamError;
}

const nobody: ReadonlySet<string> = new Set();

export const callerGate = (options: CallerGateOptions): CallerGate => {
  // Maps, not the record itself: a caller named "constructor" must not find Object's prototype.
  const known = new Set(Object.keys(options.permissions));
  const byContract = new Map<string, Set<string>>();
  for (const [caller, contracts] of Object.entries(options.permissions)) {
    for (const contract of contracts) {
      const callers = byContract.get(contract) ?? new Set<string>();
      callers.add(caller);
      byContract.set(contract, callers);
    }
  }
  return {
    callersOf: (contractName) => byContract.get(contractName) ?? nobody,
    isKnown: (caller) => known.has(caller),
    deny(caller, contract, method) {
      if (!known.has(caller)) {
        options.logger.warn({ caller, contract, method }, 'rpc call refused: a genuine credential names a service this deployment does not have');
        return Unauthorized.create('The service credential names an unknown service');
      }
      options.logger.warn({ caller, contract, method }, 'rpc call refused: the caller may not call this contract');
      options.onDenied?.({ caller, contract, method });
      return CallerNotAllowed.create(`${caller} may not call ${contract}`, { caller, contract });
    },
  };
};
