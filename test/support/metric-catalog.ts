/**
 * @module The metric families a Seam process exposes on /metrics, with their labels: what a
 * dashboard may query. Every series also carries `service` (the registry's default label), and
 * no label ever carries an id. A live scrape of the deployments can check this list in turn.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  /** Labels besides `service` (and a histogram's `le`). */
  readonly labels: readonly string[];
  /** Who registers it: Seam's own code, or prom-client's default Node metrics. */
  readonly source: 'seam' | 'node';
}

/** The label every series carries: the topology's service name. */
export const defaultLabel = 'service';

export const metricCatalog: readonly MetricFamily[] = [
  // Contract calls and the edge around them.
  { name: 'seam_rpc_duration_seconds', type: 'histogram', labels: ['side', 'contract', 'method', 'outcome'], source: 'seam' },
  { name: 'seam_rpc_denied_total', type: 'counter', labels: ['caller', 'contract', 'method'], source: 'seam' },
  { name: 'seam_breaker_open', type: 'gauge', labels: ['target', 'contract'], source: 'seam' },
  { name: 'http_server_request_duration_seconds', type: 'histogram', labels: ['http_route', 'http_request_method', 'http_response_status_class'], source: 'seam' },
  // Events, queues and the checkout saga.
  { name: 'seam_outbox_backlog', type: 'gauge', labels: ['module'], source: 'seam' },
  { name: 'seam_outbox_oldest_pending_age_seconds', type: 'gauge', labels: ['module'], source: 'seam' },
  { name: 'seam_outbox_deliveries_total', type: 'counter', labels: ['module', 'outcome'], source: 'seam' },
  { name: 'seam_queue_jobs', type: 'gauge', labels: ['queue', 'state'], source: 'seam' },
  { name: 'seam_saga_outcomes_total', type: 'counter', labels: ['saga', 'outcome'], source: 'seam' },
  { name: 'seam_saga_compensations_total', type: 'counter', labels: ['saga', 'step'], source: 'seam' },
  { name: 'seam_db_pool_connections', type: 'gauge', labels: ['state'], source: 'seam' },
  // prom-client's default metrics that the dashboards read.
  { name: 'process_cpu_seconds_total', type: 'counter', labels: [], source: 'node' },
  { name: 'process_resident_memory_bytes', type: 'gauge', labels: [], source: 'node' },
  { name: 'nodejs_eventloop_lag_seconds', type: 'gauge', labels: [], source: 'node' },
  { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge', labels: [], source: 'node' },
];

/** The sample names a family shows in the exposition format: a histogram's `_bucket`, `_count` and `_sum`, otherwise its own name. */
export const seriesNamesOf = (family: MetricFamily): string[] =>
  family.type === 'histogram' ? ['_bucket', '_count', '_sum'].map((suffix) => `${family.name}${suffix}`) : [family.name];

/** The family a sample name belongs to, if it is one of the catalog's. */
export const familyOfSeries = (series: string): MetricFamily | undefined => metricCatalog.find((family) => seriesNamesOf(family).includes(series));

/** Labels a query may use on `series`: the family's own, `service`, and `le` on a histogram's buckets. */
export const labelsOfSeries = (series: string): string[] => {
  const family = familyOfSeries(series);
  if (!family) return [];
  return [defaultLabel, ...family.labels, ...(series.endsWith('_bucket') && family.type === 'histogram' ? ['le'] : [])];
};
