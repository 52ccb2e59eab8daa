/**
 * The observability profile of both compose deployments (Prometheus, Grafana, Jaeger) and the
 * dashboards it loads, checked by parsing the files: no Docker runs here. Then each check is
 * broken once on a copy, so a rule that stopped matching cannot pass unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { serviceMetrics } from '../../src/host/metrics.js';
import { loadDashboards, queriedMetricNames, readPromQL, type Dashboard, type Panel } from '../support/dashboards.js';
import { metricCatalog, seriesNamesOf } from '../support/metric-catalog.js';
import { loadCompose, type ComposeFile } from './compose.js';
import {
  checkDatasources,
  checkObservabilityCompose,
  checkScrapeConfig,
  loadDatasources,
  prometheusConfigOf,
  type GrafanaDatasources,
  type ObservedService,
  type PrometheusConfig,
} from './observability-compose.js';
import { checkDashboard, checkDashboardSet } from './observability-dashboards.js';
import { loadTarget } from './targets.js';

const targets = { monolith: loadTarget('monolith'), split: loadTarget('split') } as const;
type TargetName = keyof typeof targets;
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

interface Breakage<T> {
  readonly name: string;
  readonly target: TargetName;
  readonly mutate: (input: T) => void;
  readonly expected: RegExp;
}

const service = (compose: ComposeFile, name: string): ObservedService => compose.services![name] as ObservedService;
const env = (compose: ComposeFile, name: string) => service(compose, name).environment as Record<string, string | null>;

describe('compose profile "observability"', () => {
  it.each(['monolith', 'split'] as const)('deploy/%s/compose.yaml adds Prometheus, Grafana and Jaeger under the profile only', (name) => {
    expect(checkObservabilityCompose(loadCompose(targets[name]), targets[name])).toEqual([]);
  });

  const breakages: Breakage<ComposeFile>[] = [
    { name: 'Grafana outside the profile', target: 'split', mutate: (c) => delete service(c, 'grafana').profiles, expected: /compose service "grafana": profiles undefined, expected \["observability"\]/ },
    { name: 'no Jaeger', target: 'monolith', mutate: (c) => delete c.services!['jaeger'], expected: /no "jaeger" service/ },
    { name: 'a Seam service in the profile', target: 'split', mutate: (c) => (service(c, 'orders').profiles = ['observability']), expected: /compose service "orders": is in the "observability" profile/ },
    { name: 'a port on every interface', target: 'split', mutate: (c) => (service(c, 'prometheus').ports = ['9090:9090']), expected: /compose service "prometheus": publishes 9090 on 0.0.0.0, expected 127.0.0.1 only/ },
    {
      name: 'a mount of a file that does not exist',
      target: 'monolith',
      mutate: (c) => (service(c, 'prometheus').volumes = ['../observability/prometheus/monolith.yaml:/etc/prometheus/prometheus.yml:ro']),
      expected: /mounts deploy\/observability\/prometheus\/monolith.yaml, which does not exist/,
    },
    {
      name: "the other deployment's scrape configuration",
      target: 'split',
      mutate: (c) => (service(c, 'prometheus').volumes = ['../observability/prometheus/monolith.yml:/etc/prometheus/prometheus.yml:ro']),
      expected: /mounts deploy\/observability\/prometheus\/monolith.yml at \/etc\/prometheus\/prometheus.yml, expected deploy\/observability\/prometheus\/split.yml/,
    },
    {
      name: 'dashboards mounted where the provider does not look',
      target: 'monolith',
      mutate: (c) => (service(c, 'grafana').volumes = (service(c, 'grafana').volumes ?? []).map((volume) => String(volume).replace(':/etc/grafana/dashboards:', ':/var/lib/grafana/dashboards:'))),
      expected: /compose service "grafana": mounts nothing at \/etc\/grafana\/dashboards/,
    },
    { name: 'Grafana published on another container port', target: 'monolith', mutate: (c) => (service(c, 'grafana').ports = ['127.0.0.1:3001:3001']), expected: /compose service "grafana": does not publish 3000/ },
    { name: 'no OTLP port on Jaeger', target: 'split', mutate: (c) => (service(c, 'jaeger').ports = ['127.0.0.1:16686:16686']), expected: /compose service "jaeger": does not publish 4318/ },
    { name: 'tracing on by default', target: 'monolith', mutate: (c) => (env(c, 'app')['OTEL_EXPORTER_OTLP_ENDPOINT'] = 'http://jaeger:4318'), expected: /compose service "app": sets OTEL_EXPORTER_OTLP_ENDPOINT to "http:\/\/jaeger:4318"/ },
    { name: 'no way to turn tracing on', target: 'split', mutate: (c) => delete env(c, 'payments')['OTEL_EXPORTER_OTLP_ENDPOINT'], expected: /compose service "payments": does not pass OTEL_EXPORTER_OTLP_ENDPOINT through/ },
  ];
  it.each(breakages)('reports $name ($target)', ({ target, mutate, expected }) => {
    const compose = copy(loadCompose(targets[target]));
    mutate(compose);
    expect(checkObservabilityCompose(compose, targets[target])).toContainEqual(expect.stringMatching(expected));
  });

  it('accepts the pass-through written as an interpolation with an empty default', () => {
    const compose = copy(loadCompose(targets.monolith));
    env(compose, 'app')['OTEL_EXPORTER_OTLP_ENDPOINT'] = '${OTEL_EXPORTER_OTLP_ENDPOINT:-}';
    expect(checkObservabilityCompose(compose, targets.monolith)).toEqual([]);
  });
});

describe('Prometheus scrape configuration', () => {
  it.each(['monolith', 'split'] as const)('deploy/%s: one job per topology service, on the port its compose service serves /metrics', (name) => {
    const compose = loadCompose(targets[name]);
    expect(checkScrapeConfig(prometheusConfigOf(compose, targets[name]), compose, targets[name])).toEqual([]);
  });

  type Scrape = { config: PrometheusConfig; compose: ComposeFile };
  const job = (config: PrometheusConfig, name: string) => config.scrape_configs!.find((candidate) => candidate.job_name === name)!;
  const breakages: Breakage<Scrape>[] = [
    { name: 'a service nobody scrapes', target: 'split', mutate: ({ config }) => config.scrape_configs!.splice(config.scrape_configs!.indexOf(job(config, 'orders')), 1), expected: /service "orders": scraped by 0 jobs/ },
    { name: 'a target that is no compose service', target: 'split', mutate: ({ config }) => (job(config, 'identity').dns_sd_configs![0]!.names = ['users']), expected: /target "users" is no compose service/ },
    { name: 'the service port instead of the operator port', target: 'split', mutate: ({ config }) => (job(config, 'shipping').dns_sd_configs![0]!.port = 3000), expected: /scrapes shipping:3000, but "shipping" serves \/metrics on 9464/ },
    {
      name: 'a fixed address for a service with replicas',
      target: 'split',
      mutate: ({ config }) => Object.assign(job(config, 'catalog'), { dns_sd_configs: undefined, static_configs: [{ targets: ['catalog:9464'] }] }),
      expected: /"catalog" runs 2 replicas; a static target reaches one at random/,
    },
    { name: 'a job named after the compose service', target: 'monolith', mutate: ({ config }) => (job(config, 'shop').job_name = 'app'), expected: /scrape job "app": scrapes "app", which runs "shop"/ },
    { name: 'SRV records', target: 'split', mutate: ({ config }) => (job(config, 'gateway').dns_sd_configs![0]!.type = 'SRV'), expected: /dns_sd_configs type SRV, expected A/ },
    { name: 'a gateway with /metrics nowhere', target: 'monolith', mutate: ({ compose }) => delete env(compose, 'app')['SEAM_OPERATOR_PORT'], expected: /compose service "app" serves \/metrics nowhere/ },
    { name: 'an unchecked discovery', target: 'split', mutate: ({ config }) => Object.assign(job(config, 'orders'), { docker_sd_configs: [{}] }), expected: /docker_sd_configs is not checked here/ },
  ];
  it.each(breakages)('reports $name ($target)', ({ target, mutate, expected }) => {
    const compose = copy(loadCompose(targets[target]));
    const scrape = { config: copy(prometheusConfigOf(compose, targets[target])), compose };
    mutate(scrape);
    expect(checkScrapeConfig(scrape.config, scrape.compose, targets[target])).toContainEqual(expect.stringMatching(expected));
  });
});

describe('Grafana provisioning', () => {
  it.each(['monolith', 'split'] as const)('names the prometheus and jaeger containers of deploy/%s, at its scrape interval', (name) => {
    expect(checkDatasources(loadDatasources(), prometheusConfigOf(loadCompose(targets[name]), targets[name]))).toEqual([]);
  });

  it.each<{ name: string; mutate: (datasources: GrafanaDatasources, config: PrometheusConfig) => void; expected: RegExp }>([
    { name: 'a datasource on the host port', mutate: (d) => (d.datasources![0]!.url = 'http://localhost:9090'), expected: /datasource "Prometheus": url http:\/\/localhost:9090, expected http:\/\/prometheus:9090/ },
    { name: 'another scrape interval', mutate: (_, c) => (c.global!.scrape_interval = '30s'), expected: /timeInterval 15s, but Prometheus scrapes every 30s/ },
    { name: 'no Jaeger datasource', mutate: (d) => (d.datasources = d.datasources!.filter((datasource) => datasource.type !== 'jaeger')), expected: /0 jaeger datasources, expected one/ },
  ])('reports $name', ({ mutate, expected }) => {
    const datasources = copy(loadDatasources());
    const config = copy(prometheusConfigOf(loadCompose(targets.split), targets.split));
    mutate(datasources, config);
    expect(checkDatasources(datasources, config)).toContainEqual(expect.stringMatching(expected));
  });
});

describe('dashboards', () => {
  const provisioned = new Map((loadDatasources().datasources ?? []).map((datasource) => [datasource.uid ?? '', datasource.type ?? '']));
  const dashboards = loadDashboards();

  it('parse, name provisioned datasources and query only what the processes expose', () => {
    expect(dashboards.map(({ dashboard }) => dashboard.title)).toContain('Seam — the shop at a glance');
    expect(dashboards.flatMap(({ file, dashboard }) => checkDashboard(file, dashboard, provisioned))).toEqual([]);
    expect(checkDashboardSet(dashboards)).toEqual([]);
  });

  it('cover RED per method, the public edge, checkout, outbox, queues, breakers and processes', () => {
    const queried = new Set(queriedMetricNames());
    const unqueried = metricCatalog.filter((family) => family.source === 'seam' && !seriesNamesOf(family).some((series) => queried.has(series)));
    expect(unqueried.map((family) => family.name)).toEqual([]);
  });

  const first = dashboards[0]!;
  const panel = (dashboard: Dashboard, title: string): Panel => dashboard.panels!.find((candidate) => candidate.title === title)!;
  const expr = (dashboard: Dashboard, title: string, edit: (expr: string) => string): void => {
    const target = panel(dashboard, title).targets![0]!;
    target.expr = edit(target.expr!);
  };
  it.each<{ name: string; mutate: (dashboard: Dashboard) => void; expected: RegExp }>([
    { name: 'a panel without a datasource', mutate: (d) => delete panel(d, 'Backlog by module').datasource, expected: /panel "Backlog by module" names no datasource/ },
    { name: 'a datasource that is not provisioned', mutate: (d) => (panel(d, 'CPU').datasource = { type: 'prometheus', uid: 'other' }), expected: /panel "CPU" uses datasource .* which is not provisioned/ },
    { name: 'a panel without a query', mutate: (d) => (panel(d, 'Checkout outcomes').targets = []), expected: /panel "Checkout outcomes" has no query/ },
    { name: 'a metric no process exposes', mutate: (d) => expr(d, 'Backlog by module', (e) => e.replace('seam_outbox_backlog', 'seam_outbox_pending')), expected: /queries seam_outbox_pending, which no Seam process exposes/ },
    { name: 'grouping by instance', mutate: (d) => expr(d, 'CPU', (e) => e.replace('by (service)', 'by (service, instance)')), expected: /panel "CPU" query A: groups or filters by "instance", an id-like label/ },
    { name: 'filtering by an order id', mutate: (d) => expr(d, 'Checkout outcomes', (e) => e.replace('saga="checkout"', 'saga="checkout", order_id="42"')), expected: /groups or filters by "order_id"/ },
    { name: 'a label the metric does not have', mutate: (d) => expr(d, 'Backlog by module', (e) => e.replace('by (module)', 'by (queue)')), expected: /uses label "queue", which none of seam_outbox_backlog has/ },
    { name: 'a panel the service variable does not narrow', mutate: (d) => expr(d, 'Resident memory', (e) => e.replace('{service=~"$service"}', '')), expected: /panel "Resident memory" query A ignores the service variable/ },
    { name: 'an old schema', mutate: (d) => (d.schemaVersion = 27), expected: /schemaVersion 27, expected 36 or later/ },
  ])('reports $name', ({ mutate, expected }) => {
    const dashboard = copy(first.dashboard);
    mutate(dashboard);
    expect(checkDashboard(first.file, dashboard, provisioned)).toContainEqual(expect.stringMatching(expected));
  });

  it('reports two dashboards with one uid', () => {
    expect(checkDashboardSet([first, { ...first, file: 'copy.json' }])).toContainEqual(expect.stringMatching(/copy.json and .* share the uid/));
  });
});

describe('reading PromQL', () => {
  it.each([
    ['histogram_quantile(0.99, sum by (le, method) (rate(seam_rpc_duration_seconds_bucket{service=~"$service", side="server"}[$__rate_interval])))', ['seam_rpc_duration_seconds_bucket'], ['le', 'method', 'service', 'side']],
    ['sum(rate(a_total{x="1"}[5m])) by (y) / on (y) group_left (z) b offset 5m', ['a_total', 'b'], ['x', 'y', 'z']],
    ['count(max by (target) (seam_breaker_open) > 0) or vector(0)', ['seam_breaker_open'], ['target']],
    ['{__name__="process_cpu_seconds_total", service="shop"}', ['process_cpu_seconds_total'], ['service']],
  ])('%s', (query, metrics, labels) => {
    const use = readPromQL(query);
    expect([use.metrics.sort(), use.labels.sort()]).toEqual([metrics, labels]);
  });

  it('refuses what it cannot tell the metrics of', () => {
    expect(() => readPromQL('rate($metric[5m])')).toThrow(/uses \$metric outside a label value or a range/);
    expect(() => readPromQL('{__name__=~"seam_.*"}')).toThrow(/picks metrics by __name__=~/);
    expect(() => readPromQL('x{a="1"')).toThrow(/"\{" is never closed/);
  });
});

describe('the metric catalog', () => {
  it('agrees with what a Seam process registers today, name and type', async () => {
    const registered = new Map((await serviceMetrics({ service: 'catalog-check' }).registry.getMetricsAsJSON()).map((metric) => [metric.name, String(metric.type)]));
    for (const name of ['seam_rpc_duration_seconds', 'seam_rpc_denied_total', 'seam_breaker_open']) expect(registered.has(name), name).toBe(true);
    for (const family of metricCatalog.filter((candidate) => candidate.source === 'node')) expect(registered.has(family.name), family.name).toBe(true);
    const mismatched = metricCatalog.filter((family) => registered.has(family.name) && registered.get(family.name) !== family.type);
    expect(mismatched).toEqual([]);
  });
});
