/**
 * @module Checks the compose profile "observability" of a deployment: Prometheus, Grafana and
 * Jaeger only under the profile, on 127.0.0.1 only, mounting files that exist; Prometheus
 * scraping every Seam service where it serves /metrics; Grafana's datasources pointing at
 * those containers; the services passing OTEL_EXPORTER_OTLP_ENDPOINT through, unset by default.
 * Like the other deployment checks, each returns every problem as a sentence.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { metricsPlacement } from '../../src/host/operator.js';
import { loadConfig } from '../../src/kernel/config.js';
import type { ComposeFile, ComposeService } from './compose.js';
import { durationMs } from './operations.js';
import { repoRoot, type Target } from './targets.js';

export const profile = 'observability';

/** Each tool of the profile and the port its container serves on. */
export const tools = { prometheus: 9090, grafana: 3000, jaeger: 16686 } as const;
export const otlpHttpPort = 4318;
export const tracesVariable = 'OTEL_EXPORTER_OTLP_ENDPOINT';

const observability = join(repoRoot, 'deploy', 'observability');
const prometheusConfigPath = '/etc/prometheus/prometheus.yml';
const grafanaProvisioning = '/etc/grafana/provisioning';

type RawEnv = Record<string, string | number | boolean | null>;
type Volume = string | { type?: string; source?: string; target?: string };
export type ObservedService = ComposeService & { profiles?: string[]; volumes?: Volume[]; environment?: RawEnv | string[] };

// Only the fields read here; everything is optional because the input is checked, not trusted.
interface DnsSd { names?: string[]; type?: string; port?: number }
export interface ScrapeJob { job_name?: string; metrics_path?: string; scheme?: string; authorization?: unknown; static_configs?: { targets?: string[] }[]; dns_sd_configs?: DnsSd[] }
export interface PrometheusConfig { global?: { scrape_interval?: string }; scrape_configs?: (ScrapeJob & Record<string, unknown>)[] }
export interface GrafanaDatasources { datasources?: { name?: string; uid?: string; type?: string; url?: string; jsonData?: { timeInterval?: string } }[] }
export interface GrafanaProviders { providers?: { name?: string; type?: string; options?: { path?: string } }[] }

const readYaml = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T;
export const loadDatasources = (): GrafanaDatasources => readYaml(join(observability, 'grafana', 'provisioning', 'datasources', 'seam.yaml'));
export const loadProviders = (): GrafanaProviders => readYaml(join(observability, 'grafana', 'provisioning', 'dashboards', 'seam.yaml'));

const servicesOf = (compose: ComposeFile): Record<string, ObservedService> => (compose.services ?? {}) as Record<string, ObservedService>;

/** The environment as written; a key with no value (null) is passed through from compose's own environment. */
const rawEnv = (service: ObservedService): RawEnv =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((line) => (line.includes('=') ? [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] : [line, null])))
    : (service.environment ?? {});

/** What the process sees when compose's own environment sets nothing. */
const envOf = (service: ObservedService): Record<string, string> =>
  Object.fromEntries(Object.entries(rawEnv(service)).flatMap(([key, value]) => (value === null ? [] : [[key, String(value)]])));

/** Bind mounts with the host side resolved against the compose file's folder. */
const mountsOf = (service: ObservedService, target: Target): { source: string; target: string }[] =>
  (service.volumes ?? []).flatMap((volume) => {
    const [source, inside] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (source === undefined || inside === undefined || !/^[./]/.test(source)) return []; // a named volume
    return [{ source: resolve(repoRoot, target.dir, source), target: inside }];
  });

/** Published ports as [host address, container port]; compose's default address is every interface. */
const publishedOf = (service: ObservedService): { address: string; port: number }[] =>
  (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { address: '0.0.0.0', port: Number(port.target) };
    const parts = String(port).split('/')[0]?.split(':') ?? [];
    return { address: parts.length === 3 ? (parts[0] ?? '') : '0.0.0.0', port: Number(parts.at(-1)) };
  });

const shown = (path: string): string => relative(repoRoot, path);

/** The Seam services of the compose file (those with SEAM_SERVICE), by compose service name. */
const seamServices = (compose: ComposeFile): [string, ObservedService][] => Object.entries(servicesOf(compose)).filter(([, service]) => envOf(service)['SEAM_SERVICE'] !== undefined);

export const checkObservabilityCompose = (compose: ComposeFile, target: Target): string[] => {
  const problems: string[] = [];
  const services = servicesOf(compose);
  for (const name of Object.keys(tools) as (keyof typeof tools)[]) {
    const service = services[name];
    if (!service) {
      problems.push(`no "${name}" service`);
      continue;
    }
    const where = `compose service "${name}"`;
    if (JSON.stringify(service.profiles) !== JSON.stringify([profile])) problems.push(`${where}: profiles ${JSON.stringify(service.profiles)}, expected ["${profile}"] so that a plain "up" leaves it out`);
    if (!service.image) problems.push(`${where}: no image`);
    for (const { address, port } of publishedOf(service)) if (address !== '127.0.0.1') problems.push(`${where}: publishes ${port} on ${address || 'every interface'}, expected 127.0.0.1 only`);
    for (const mount of mountsOf(service, target)) if (!existsSync(mount.source)) problems.push(`${where}: mounts ${shown(mount.source)}, which does not exist`);
    const published = publishedOf(service).map((entry) => entry.port);
    for (const port of name === 'jaeger' ? [tools.jaeger, otlpHttpPort] : [tools[name]]) if (!published.includes(port)) problems.push(`${where}: does not publish ${port}`);
  }
  for (const [name, service] of Object.entries(services)) {
    if (!(name in tools) && service.profiles?.includes(profile)) problems.push(`compose service "${name}": is in the "${profile}" profile, which holds only ${Object.keys(tools).join(', ')}`);
  }

  const mounted = (name: string, inside: string): string | undefined => mountsOf(services[name] ?? {}, target).find((mount) => mount.target === inside)?.source;
  const expectMount = (name: string, inside: string, source: string): void => {
    if (!services[name]) return;
    const actual = mounted(name, inside);
    if (actual !== source) problems.push(`compose service "${name}": mounts ${actual === undefined ? 'nothing' : shown(actual)} at ${inside}, expected ${shown(source)}`);
  };
  expectMount('prometheus', prometheusConfigPath, join(observability, 'prometheus', `${target.name}.yml`));
  for (const kind of ['datasources', 'dashboards']) expectMount('grafana', `${grafanaProvisioning}/${kind}`, join(observability, 'grafana', 'provisioning', kind));
  for (const provider of loadProviders().providers ?? []) expectMount('grafana', provider.options?.path ?? '(no path)', join(observability, 'grafana', 'dashboards'));
  const home = envOf(services['grafana'] ?? {})['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'];
  const homeMount = mountsOf(services['grafana'] ?? {}, target).find((mount) => home?.startsWith(`${mount.target}/`));
  if (home !== undefined && !(homeMount && existsSync(join(homeMount.source, home.slice(homeMount.target.length))))) problems.push(`compose service "grafana": home dashboard ${home} is no mounted file`);

  // Traces stay off unless the one starting compose asks: the value comes from their shell.
  for (const [name, service] of seamServices(compose)) {
    const env = rawEnv(service);
    const value = env[tracesVariable];
    if (!(tracesVariable in env)) problems.push(`compose service "${name}": does not pass ${tracesVariable} through, so its traces cannot be turned on`);
    else if (value !== null && !new RegExp(`^\\$\\{${tracesVariable}(:?-)?\\}$`).test(String(value))) problems.push(`compose service "${name}": sets ${tracesVariable} to ${JSON.stringify(value)}, expected it unset unless given`);
  }
  return problems;
};

/** The scrape configuration the compose file's prometheus mounts. */
export const prometheusConfigOf = (compose: ComposeFile, target: Target): PrometheusConfig => {
  const source = mountsOf(servicesOf(compose)['prometheus'] ?? {}, target).find((mount) => mount.target === prometheusConfigPath)?.source;
  if (source === undefined) throw new Error(`${target.dir}/compose.yaml: prometheus mounts nothing at ${prometheusConfigPath}`);
  return readYaml(source);
};

/** Where a Seam compose service serves /metrics, or why it cannot be scraped. */
const metricsEndpoint = (env: Record<string, string>, gateway: boolean): { port: number; token: boolean } | string => {
  try {
    const config = loadConfig({ JWT_SECRET: 'placeholder-secret-of-at-least-32-chars', ...env });
    const placement = metricsPlacement(config, { gateway });
    if (placement.where === 'nowhere') return 'serves /metrics nowhere';
    return { port: placement.where === 'operator-port' ? placement.port : config.port, token: placement.token !== undefined };
  } catch (error) {
    return `would not start: ${error instanceof Error ? error.message : String(error)}`;
  }
};

export const checkScrapeConfig = (config: PrometheusConfig, compose: ComposeFile, target: Target): string[] => {
  const problems: string[] = [];
  const services = servicesOf(compose);
  const scraped = new Map<string, string[]>();
  for (const job of config.scrape_configs ?? []) {
    const where = `scrape job "${job.job_name}"`;
    const discovery = Object.keys(job).filter((key) => key.endsWith('_configs') && key !== 'static_configs' && key !== 'dns_sd_configs');
    if (discovery.length > 0) problems.push(`${where}: ${discovery.join(', ')} is not checked here; use static_configs or dns_sd_configs`);
    if ((job.metrics_path ?? '/metrics') !== '/metrics') problems.push(`${where}: metrics_path ${job.metrics_path}, expected /metrics`);
    if ((job.scheme ?? 'http') !== 'http') problems.push(`${where}: scheme ${job.scheme}; the operator port serves plain HTTP`);
    const targets = [
      ...(job.static_configs ?? []).flatMap((entry) => (entry.targets ?? []).map((address) => ({ host: address.split(':')[0] ?? '', port: Number(address.split(':')[1]), dns: false }))),
      ...(job.dns_sd_configs ?? []).flatMap((entry) => {
        if (entry.type !== 'A') problems.push(`${where}: dns_sd_configs type ${entry.type}, expected A (a compose service name resolves to its replicas' addresses)`);
        return (entry.names ?? []).map((host) => ({ host, port: Number(entry.port), dns: true }));
      }),
    ];
    if (targets.length === 0) problems.push(`${where}: no targets`);
    for (const { host, port, dns } of targets) {
      const service = services[host];
      const seamName = service ? envOf(service)['SEAM_SERVICE'] : undefined;
      const spec = target.topology.services.find((candidate) => candidate.name === seamName);
      if (!service || !spec) {
        problems.push(`${where}: target "${host}" is no compose service running a service of ${target.topologyFile}`);
        continue;
      }
      if (job.job_name !== spec.name) problems.push(`${where}: scrapes "${host}", which runs "${spec.name}": name the job after it`);
      const endpoint = metricsEndpoint(envOf(service), spec.gateway);
      if (typeof endpoint === 'string') problems.push(`${where}: compose service "${host}" ${endpoint}`);
      else if (endpoint.port !== port) problems.push(`${where}: scrapes ${host}:${port}, but "${host}" serves /metrics on ${endpoint.port}`);
      else if (endpoint.token && job.authorization === undefined) problems.push(`${where}: "${host}" wants SEAM_OPERATOR_TOKEN, and the job sends none`);
      if (!dns && (service.deploy?.replicas ?? 1) > 1) problems.push(`${where}: "${host}" runs ${service.deploy?.replicas} replicas; a static target reaches one at random, use dns_sd_configs`);
      scraped.set(spec.name, [...(scraped.get(spec.name) ?? []), job.job_name ?? '?']);
    }
  }
  for (const service of target.topology.services) {
    const jobs = scraped.get(service.name) ?? [];
    if (jobs.length !== 1) problems.push(`service "${service.name}": scraped by ${jobs.length} jobs, expected exactly one`);
  }
  return problems;
};

/** Grafana's datasources name the profile's containers on the ports they serve, with Prometheus's scrape interval. */
export const checkDatasources = (datasources: GrafanaDatasources, config: PrometheusConfig): string[] => {
  const problems: string[] = [];
  const expected: Record<string, string> = { prometheus: `http://prometheus:${tools.prometheus}`, jaeger: `http://jaeger:${tools.jaeger}` };
  for (const [type, url] of Object.entries(expected)) {
    const found = (datasources.datasources ?? []).filter((datasource) => datasource.type === type);
    if (found.length !== 1) problems.push(`${found.length} ${type} datasources, expected one`);
    for (const datasource of found) {
      if (datasource.url !== url) problems.push(`datasource "${datasource.name}": url ${datasource.url}, expected ${url}`);
      if (!datasource.uid) problems.push(`datasource "${datasource.name}": no uid for the dashboards to name`);
    }
  }
  const prometheus = (datasources.datasources ?? []).find((datasource) => datasource.type === 'prometheus');
  const interval = config.global?.scrape_interval ?? '1m';
  if (prometheus && durationMs(prometheus.jsonData?.timeInterval ?? '15s') !== durationMs(interval)) {
    problems.push(`datasource "${prometheus.name}": timeInterval ${prometheus.jsonData?.timeInterval}, but Prometheus scrapes every ${interval}`);
  }
  return problems;
};
