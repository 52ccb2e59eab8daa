/**
 * @module Prometheus metrics of one process (prom-client): how long each contract call takes
 * as the caller sees it (`client`, over the network), as the serving process sees it
 * (`server`) and in process (`in_process`), by contract, method and outcome; how long each
 * public request takes by route template and status class; plus what the kernel counts
 * (kernel/metrics.ts) and Node's own process metrics. The gap between client and server for
 * one method is what the hop itself costs. No label carries an id.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import { SeamError } from '../kernel/errors.js';
import { kernelMetrics } from '../kernel/metrics.js';
import { contractCallSpan, isServing } from '../kernel/tracing.js';
import type { RequestObserver } from '../gateway/trace-context.js';
import { breakerStates, type BreakerStates } from './breaker-states.js';

export type CallSide = 'client' | 'server' | 'in_process';

// From 100 µs (a call on loopback) to 10 s (the longest RPC timeout).
const buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServiceMetrics {
  readonly registry: Registry;
  /** `api` with every method timed into `seam_rpc_duration_seconds{side}`. */
  instrument<C extends AnyContract>(side: CallSide, contract: C, api: ContractApi<C>): ContractApi<C>;
  /** Counts a call this service refused because the caller may not call the contract: `seam_rpc_denied_total`. */
  countDenied(denied: { readonly caller: string; readonly contract: string; readonly method: string }): void;
  /** Times a public request into `http_server_request_duration_seconds`. */
  observeRequest: RequestObserver;
}

/** HTTP's methods; anything else a client sends is counted as `_OTHER`, as OpenTelemetry's conventions say, so a client cannot mint labels. */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

const breakerLevels: Record<string, number> = { closed: 0, 'half-open': 0.5, open: 1, isolated: 1 };

/**
 * `breakers`: the process's circuit breakers, reported as `seam_breaker_open{target,contract}`
 * (1 open, 0.5 half-open, 0 closed) when metrics are collected.
 */
export const serviceMetrics = (labels: { service: string }, breakers: BreakerStates = breakerStates()): ServiceMetrics => {
  const own = new Registry();
  collectDefaultMetrics({ register: own });
  // Served together, as one service's: what the kernel counts goes out beside this process's own.
  const registry = Registry.merge([own, kernelMetrics]);
  registry.setDefaultLabels(labels);
  const requests = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Public requests by route template (never the path: it holds ids), method and status class',
    labelNames: ['http_route', 'http_request_method', 'http_response_status_class'] as const,
    buckets,
    registers: [registry],
  });
  const calls = new Histogram({
    name: 'seam_rpc_duration_seconds',
    help: 'Contract calls between services: as the caller saw them (side="client") and as the callee ran them (side="server")',
    labelNames: ['side', 'contract', 'method', 'outcome'] as const,
    buckets,
    registers: [registry],
  });
  // Labels are bounded: callers are the topology's services, contracts and methods those served.
  const denied = new Counter({
    name: 'seam_rpc_denied_total',
    help: 'Calls from another service of the deployment refused because it may not call the contract (403 CALLER_NOT_ALLOWED)',
    labelNames: ['caller', 'contract', 'method'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'seam_breaker_open',
    help: 'Circuit breaker of each remote contract binding: 0 closed, 0.5 half-open (probing), 1 open (failing fast)',
    labelNames: ['target', 'contract'] as const,
    registers: [registry],
    collect() {
      for (const breaker of breakers.all()) this.set({ target: breaker.target, contract: breaker.contract }, breakerLevels[breaker.state] ?? 1);
    },
  });
  return {
    registry,
    observeRequest: ({ route, method, status, seconds }) =>
      requests.observe({ http_route: route, http_request_method: knownMethods.has(method) ? method : '_OTHER', http_response_status_class: `${Math.floor(status / 100)}xx` }, seconds),
    countDenied: ({ caller, contract, method }) => denied.inc({ caller, contract, method }),
    instrument<C extends AnyContract>(side: CallSide, contract: C, api: ContractApi<C>): ContractApi<C> {
      const timed: Record<string, (input: unknown) => Promise<unknown>> = {};
      for (const [method, call] of Object.entries(api as Record<string, (input: unknown) => Promise<unknown>>)) {
        const name = contractCallSpan(contract.id, method).name;
        timed[method] = async (input) => {
          // Served over RPC, the call was timed as `server` already.
          if (side === 'in_process' && isServing(name)) return call(input);
          const started = performance.now();
          let outcome = 'ok';
          try {
            return await call(input);
          } catch (error) {
            // A domain answer (OUT_OF_STOCK) and a failure (SERVICE_UNAVAILABLE) both by code.
            outcome = error instanceof SeamError ? error.code : 'ERROR';
            throw error;
          } finally {
            calls.observe({ side, contract: contract.id, method, outcome }, (performance.now() - started) / 1000);
          }
        };
      }
      return Object.freeze(timed) as unknown as ContractApi<C>;
    },
  };
};
