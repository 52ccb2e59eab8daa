/**
 * @module Prometheus metrics of one process (prom-client): how long each contract call takes
 * as the caller sees it (`client`, over the network) and as the serving process sees it
 * (`server`), by contract, method and outcome, plus Node's own process metrics. The gap
 * between the two for one method is what the hop itself costs.
 */
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import { SeamError } from '../kernel/errors.js';

export type CallSide = 'client' | 'server';

// From 100 µs (a call on loopback) to 10 s (the longest RPC timeout).
const buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServiceMetrics {
  readonly registry: Registry;
  /** `api` with every method timed into `seam_rpc_duration_seconds{side}`. */
  instrument<C extends AnyContract>(side: CallSide, contract: C, api: ContractApi<C>): ContractApi<C>;
}

export const serviceMetrics = (labels: { service: string }): ServiceMetrics => {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  const calls = new Histogram({
    name: 'seam_rpc_duration_seconds',
    help: 'Contract calls between services: as the caller saw them (side="client") and as the callee ran them (side="server")',
    labelNames: ['side', 'contract', 'method', 'outcome'] as const,
    buckets,
    registers: [registry],
  });
  return {
    registry,
    instrument<C extends AnyContract>(side: CallSide, contract: C, api: ContractApi<C>): ContractApi<C> {
      const timed: Record<string, (input: unknown) => Promise<unknown>> = {};
      for (const [method, call] of Object.entries(api as Record<string, (input: unknown) => Promise<unknown>>)) {
        timed[method] = async (input) => {
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
