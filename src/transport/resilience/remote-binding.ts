/**
 * @module A contract bound to a remote service with every protection a network call needs:
 * a load-balanced instance per attempt, a timeout, retries with exponential backoff and full
 * jitter (idempotent methods only), a circuit breaker per service that fails fast while open,
 * and a bulkhead that caps concurrent calls. Policies come from cockatiel.
 *
 * What is retried and what counts against the service is the failure taxonomy's call
 * (kernel/failures.ts): only a failure of the call itself (unreachable, lost in transit, out of
 * time) counts; whatever the service answered does not, not even "my own dependency is
 * unavailable", so a failing dependency further down does not open the breakers of the healthy
 * services between it and the caller.
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  CircuitState,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  retry,
  type IPolicy,
} from 'cockatiel';
import type { AnyContract, ContractApi } from '../../kernel/contract.js';
import { OutcomeUnknown, ServiceUnavailable } from '../../kernel/errors.js';
import { failureKind, isCallFailure, mayHaveRun, mayRetry } from '../../kernel/failures.js';
import type { Logger } from '../../kernel/logger.js';
import { callHttp, remoteMethod, type CallOptions, type RemoteMethod } from '../http/rpc-client.js';
import type { Balancer } from './balancer.js';

export interface ResilienceOptions {
  /** Attempts in all (1 = no retry) for idempotent methods. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Consecutive failures that open the breaker. */
  readonly breakAfterFailures: number;
  /** How long the breaker stays open before letting one probe through. */
  readonly halfOpenAfterMs: number;
  /** Concurrent calls to the service, and calls allowed to wait for a slot. */
  readonly maxConcurrent: number;
  readonly maxQueued: number;
}

export const defaultResilience: ResilienceOptions = {
  maxAttempts: 3,
  initialDelayMs: 50,
  maxDelayMs: 1000,
  breakAfterFailures: 5,
  halfOpenAfterMs: 5000,
  maxConcurrent: 256,
  maxQueued: 1024,
};

export interface RemoteBindingOptions extends CallOptions {
  readonly service: string;
  readonly balancer: Balancer;
  readonly logger: Logger;
  readonly resilience?: Partial<ResilienceOptions>;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** The API, plus a window on the service's breaker. */
export interface RemoteBinding<C extends AnyContract> {
  readonly api: ContractApi<C>;
  breakerState(): BreakerState;
}

/** One call across its attempts: the instances tried, and whether any attempt may have run. */
interface CallState {
  readonly tried: Set<string>;
  mayHaveRun: boolean;
}

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export const bindRemote = <C extends AnyContract>(contract: C, options: RemoteBindingOptions): RemoteBinding<C> => {
  const settings = { ...defaultResilience, ...options.resilience };
  const breaker = circuitBreaker(handleWhen(isCallFailure), {
    halfOpenAfter: settings.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(settings.breakAfterFailures),
  });
  breaker.onStateChange((state) => options.logger.warn({ target: options.service, breaker: stateNames[state] }, 'circuit breaker changed state'));
  const limiter = bulkhead(settings.maxConcurrent, settings.maxQueued);
  const backoff = new ExponentialBackoff({ initialDelay: settings.initialDelayMs, maxDelay: settings.maxDelayMs, generator: fullJitterGenerator });
  const retriesFor = (idempotent: boolean): IPolicy =>
    retry(
      handleWhen((error) => mayRetry(error, idempotent)),
      { maxAttempts: settings.maxAttempts - 1, backoff },
    );
  // Every method retries a call that never ran; only idempotent ones one that may have run.
  const retries = { idempotent: retriesFor(true), other: retriesFor(false) };
  const retryAfterSeconds = Math.max(1, Math.ceil(settings.halfOpenAfterMs / 1000));

  /** One try on one instance, avoiding those earlier tries of the same call used. */
  const attempt = async (target: RemoteMethod, input: unknown, state: CallState): Promise<unknown> => {
    const lease = options.balancer.pick(state.tried);
    if (!lease) throw ServiceUnavailable.create(`No instance of ${options.service} is available`, { service: options.service });
    state.tried.add(lease.instance.id);
    try {
      const result = await callHttp(target, lease.instance.url, input, options);
      lease.done('success');
      return result;
    } catch (error) {
      if (mayHaveRun(error)) state.mayHaveRun = true;
      lease.done(isCallFailure(error) ? 'failure' : 'success');
      throw error;
    }
  };

  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [method, spec] of Object.entries(contract.methods)) {
    const target = remoteMethod(contract, method);
    const policy = spec.idempotent ? retries.idempotent : retries.other;
    api[method] = async (input: unknown): Promise<unknown> => {
      // No instance known is not a failure of the service (none was called): it must not open
      // the breaker, which would then refuse the instances discovery finds a moment later.
      if (!options.balancer.hasInstances()) throw ServiceUnavailable.create(`No instance of ${options.service} is known`, { service: options.service });
      const state: CallState = { tried: new Set(), mayHaveRun: false };
      try {
        return await limiter.execute(() => breaker.execute(() => policy.execute(() => attempt(target, input, state))));
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          throw ServiceUnavailable.create(`${options.service} is failing; not calling it for now`, { service: options.service, breaker: 'open', retryAfterSeconds });
        }
        if (error instanceof BulkheadRejectedError) {
          throw ServiceUnavailable.create(`Too many calls to ${options.service} in flight`, { service: options.service, bulkhead: 'full' });
        }
        // A later attempt that never ran does not undo an earlier one that may have.
        if (state.mayHaveRun && isCallFailure(error) && failureKind(error) === 'unavailable') {
          throw OutcomeUnknown.create(`${target.label} failed after an attempt that may have run`, { service: options.service }, { cause: error });
        }
        throw error;
      }
    };
  }
  return { api: Object.freeze(api) as unknown as ContractApi<C>, breakerState: () => stateNames[breaker.state] };
};
