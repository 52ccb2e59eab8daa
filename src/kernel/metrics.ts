/**
 * @module Metrics the kernel and modules count into (prom-client): how sagas end and what
 * they compensate, how the outbox relay's deliveries go. The host serves them beside its own
 * on /metrics, labelled with the service. Labels name kinds of things, never ids.
 */
import { Counter, Registry } from 'prom-client';

export const kernelMetrics = new Registry();

const sagaOutcomes = new Counter({
  name: 'seam_saga_outcomes_total',
  help: 'Sagas that ended, by saga and how they ended',
  labelNames: ['saga', 'outcome'] as const,
  registers: [kernelMetrics],
});

const compensations = new Counter({
  name: 'seam_saga_compensations_total',
  help: 'Sagas turned to compensation, by saga and the step at which they were',
  labelNames: ['saga', 'step'] as const,
  registers: [kernelMetrics],
});

const deliveries = new Counter({
  name: 'seam_outbox_deliveries_total',
  help: "Outbox rows the relay handed to a subscriber (delivered), put back after a failure (retried) or parked after the last attempt (dead), by publishing module",
  labelNames: ['module', 'outcome'] as const,
  registers: [kernelMetrics],
});

export const countSagaOutcome = (saga: string, outcome: string): void => sagaOutcomes.inc({ saga, outcome });

export const countCompensation = (saga: string, step: string): void => compensations.inc({ saga, step });

export const countDelivery = (module: string, outcome: 'delivered' | 'retried' | 'dead'): void => deliveries.inc({ module, outcome });
