/**
 * @module A contract bound to a remote service with every protection a network call needs:
 * a load-balanced instance per attempt, a timeout, retries with exponential backoff and full
 * jitter (idempotent methods only), a circuit breaker per service that fails fast while open,
 * and a bulkhead that caps concurrent calls. Policies come from cockatiel.
 *
 * Only transport failures count against a service (unreachable, timed out, 5xx without a
 * domain code); a domain error such as OUT_OF_STOCK is an answer, not a failure.
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
import { SeamError, ServiceUnavailable } from '../../kernel/errors.js';
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

const transportCodes = new Set(['REMOTE_CALL_FAILED', 'DEADLINE_EXCEEDED', 'SERVICE_UNAVAILABLE', 'INTERNAL']);

/** True for failures of the call itself, false for a domain answer. */
export const isTransportFailure = (error: unknown): boolean => !(error instanceof SeamError) || transportCodes.has(error.code);

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export const bindRemote = <C extends AnyContract>(contract: C, options: RemoteBindingOptions): RemoteBinding<C> => {
  const settings = { ...defaultResilience, ...options.resilience };
  const failures = handleWhen(isTransportFailure);
  const breaker = circuitBreaker(failures, {
    halfOpenAfter: settings.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(settings.breakAfterFailures),
  });
  breaker.onStateChange((state) => options.logger.warn({ service: options.service, breaker: stateNames[state] }, 'circuit breaker changed state'));
  const limiter = bulkhead(settings.maxConcurrent, settings.maxQueued);
  const retries: IPolicy = retry(failures, {
    maxAttempts: settings.maxAttempts - 1,
    backoff: new ExponentialBackoff({ initialDelay: settings.initialDelayMs, maxDelay: settings.maxDelayMs, generator: fullJitterGenerator }),
  });

  /** One try on one instance, avoiding those earlier tries of the same call used. */
  const attempt = async (target: RemoteMethod, input: unknown, tried: Set<string>): Promise<unknown> => {
    const lease = options.balancer.pick(tried);
    if (!lease) throw ServiceUnavailable.create(`No instance of ${options.service} is available`, { service: options.service });
    tried.add(lease.instance.id);
    try {
      const result = await callHttp(target, lease.instance.url, input, options);
      lease.done('success');
      return result;
    } catch (error) {
      lease.done(isTransportFailure(error) ? 'failure' : 'success');
      throw error;
    }
  };

  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [method, spec] of Object.entries(contract.methods)) {
    const target = remoteMethod(contract, method);
    // Retrying a call that may have run is only safe when running it twice is harmless.
    const retried = spec.idempotent;
    // The functions made per call below are inline arrows on purpose: tsx compiles with
    // esbuild's keepNames, which gives every named closure a defineProperty when it is made.
    api[method] = async (input: unknown): Promise<unknown> => {
      const tried = new Set<string>();
      try {
        return await limiter.execute(() =>
          breaker.execute(() => (retried ? retries.execute(() => attempt(target, input, tried)) : attempt(target, input, tried))),
        );
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          throw ServiceUnavailable.create(`${options.service} is failing; not calling it for now`, { service: options.service, breaker: 'open' });
        }
        if (error instanceof BulkheadRejectedError) {
          throw ServiceUnavailable.create(`Too many calls to ${options.service} in flight`, { service: options.service, bulkhead: 'full' });
        }
        throw error;
      }
    };
  }
  return { api: Object.freeze(api) as unknown as ContractApi<C>, breakerState: () => stateNames[breaker.state] };
};
