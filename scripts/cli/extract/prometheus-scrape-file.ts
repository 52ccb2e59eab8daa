/**
 * @module The Prometheus scrape configuration a compose file mounts at
 * /etc/prometheus/prometheus.yml, kept in step with the compose services: a service added
 * gets a job shaped like the one scraping the service it was copied from (DNS discovery of
 * every replica, same path and port), and a service removed loses its job. A file with no
 * such job to copy is the operator's own: it is left alone, and a note says so.
 */
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { renameAll, seqAt, textAt } from './yaml-nodes.js';
import type { YamlFiles } from './yaml-files.js';

/** Where the official Prometheus image reads its configuration. */
export const prometheusConfigPath = '/etc/prometheus/prometheus.yml';

/** The host side of a bind mount of `volume` onto `inside`; named volumes and other targets give undefined. */
const boundSource = (volume: unknown, inside: string): string | undefined => {
  if (isScalar(volume)) {
    const [source, target] = String(volume.value).split(':');
    return target === inside && source !== undefined && /^[./]/.test(source) ? source : undefined;
  }
  if (!isMap(volume) || textAt(volume, 'target') !== inside) return undefined;
  const source = textAt(volume, 'source');
  return source !== undefined && /^[./]/.test(source) ? source : undefined;
};

/** The host file some service of `services` mounts at /etc/prometheus/prometheus.yml, resolved as compose does: against the compose file's folder. */
export const mountedScrapeFile = (services: YAMLMap, composeFile: string): string | undefined => {
  for (const pair of services.items) {
    const volumes = isMap(pair.value) ? seqAt(pair.value, 'volumes') : undefined;
    const source = volumes?.items.map((volume) => boundSource(volume, prometheusConfigPath)).find((found) => found !== undefined);
    if (source !== undefined) return resolve(dirname(composeFile), source);
  }
  return undefined;
};

/** The hosts a job discovers by DNS, when that is all it scrapes: `names` of its only dns_sd_configs entry. */
const dnsHostsOf = (job: unknown): string[] | undefined => {
  if (!isMap(job)) return undefined;
  const discoveries = job.items.filter((pair) => isScalar(pair.key) && /_configs$/.test(String(pair.key.value)));
  const dns = seqAt(job, 'dns_sd_configs');
  if (discoveries.length !== 1 || !dns || dns.items.length !== 1) return undefined;
  const names = seqAt(dns.items[0] as Node, 'names');
  return names?.items.map((name) => (isScalar(name) ? String(name.value) : ''));
};

/** True when `job` scrapes `host` in any way: among the names it discovers by DNS, or as a static target `host:port`. */
const scrapes = (job: unknown, host: string): boolean => {
  if (!isMap(job)) return false;
  const values = (key: string, field: string): string[] =>
    (seqAt(job, key)?.items ?? []).flatMap((entry) => (seqAt(entry as Node, field)?.items ?? []).flatMap((item) => (isScalar(item) ? [String(item.value)] : [])));
  return values('dns_sd_configs', 'names').includes(host) || values('static_configs', 'targets').some((target) => target.split(':')[0] === host);
};

export class PrometheusScrapeFile {
  readonly shown: string;
  private readonly document: Document | undefined;
  private readonly pending: string[] = [];

  /** Reads `path` now, so a file that is not YAML fails before any edit. */
  constructor(
    files: YamlFiles,
    readonly path: string,
    /** The compose file, as notes name it. */
    private readonly composeShown: string,
  ) {
    this.shown = files.shown(path);
    this.document = files.exists(path) ? files.documents(path)[0] : undefined;
  }

  /** What the operator must do by hand, for the edits so far. */
  notes(): string[] {
    return [...new Set(this.pending)];
  }

  /**
   * A job for compose service `host`, which runs Seam service `service`, shaped like the job
   * of the first of `like` (compose service names, the service it was copied from first) that
   * has one; nothing when a job scrapes `host` already.
   */
  addJob(host: string, service: string, like: readonly string[]): void {
    const jobs = this.jobs();
    if (!jobs) return;
    if (jobs.items.some((job) => scrapes(job, host))) return;
    const template = like.flatMap((candidate) => jobs.items.filter((job) => dnsHostsOf(job)?.join() === candidate).map((job) => ({ job, host: candidate })))[0];
    if (!template || !isMap(template.job)) {
      this.pending.push(`${this.shown} (mounted by ${this.composeShown}) has no job finding a Seam service by DNS (dns_sd_configs names: [<service>]) to copy, so it was left alone: add a scrape job for "${host}" by hand`);
      return;
    }
    const job = template.job.clone() as YAMLMap;
    // Its name and its DNS name, and each word of either in its comments, as the kustomize editor renames a copy.
    renameAll(job, new Map([[textAt(template.job, 'job_name') ?? template.host, service], [template.host, host]]));
    job.spaceBefore = jobs.items.slice(1).some((other) => isMap(other) && other.spaceBefore === true);
    const last = jobs.items.findLastIndex((candidate) => dnsHostsOf(candidate) !== undefined);
    jobs.items.splice(last + 1, 0, job);
  }

  /** Removes the job seam extract would have written for `host`; another that still scrapes it is left, with a note. */
  removeJob(host: string, service: string): void {
    const jobs = this.jobs({ quiet: true });
    if (!jobs) return;
    const ours = (job: unknown): boolean => textAt(job as Node, 'job_name') === service && dnsHostsOf(job)?.join() === host;
    jobs.items = jobs.items.filter((job) => !ours(job));
    const others = jobs.items.filter((job) => scrapes(job, host)).map((job) => textAt(job as Node, 'job_name') ?? '?');
    if (others.length > 0) this.pending.push(`${this.shown} still scrapes "${host}" (job ${others.map((name) => `"${name}"`).join(', ')}): remove it by hand`);
  }

  /** The scrape_configs list; undefined, with a note unless `quiet`, when the file has none. */
  private jobs(options: { readonly quiet?: boolean } = {}): YAMLSeq | undefined {
    const jobs = seqAt(this.document, 'scrape_configs');
    if (jobs) return jobs;
    if (options.quiet) return undefined;
    const why = this.document === undefined ? 'does not exist' : 'has no scrape_configs list';
    this.pending.push(`${this.shown}, which ${this.composeShown} mounts at ${prometheusConfigPath}, ${why}: Prometheus scrapes no new service until you add it`);
    return undefined;
  }
}

/** The scrape file `services` of `composeFile` mount, if any, ready to edit. */
export const scrapeFileOf = (files: YamlFiles, services: YAMLMap, composeFile: string): PrometheusScrapeFile | undefined => {
  const path = mountedScrapeFile(services, composeFile);
  return path === undefined ? undefined : new PrometheusScrapeFile(files, path, files.shown(composeFile));
};
