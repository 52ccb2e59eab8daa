/**
 * The scrape configuration editor on small files of its own: which file a compose file mounts,
 * a job copied in the shape of the template's and removed again byte for byte, and a
 * configuration it cannot follow left alone with a note.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap } from 'yaml';
import { mountedScrapeFile, PrometheusScrapeFile } from './prometheus-scrape-file.js';
import { YamlFiles } from './yaml-files.js';

const temporaries: string[] = [];
afterEach(() => {
  for (const dir of temporaries.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding `files` (path → text), and a YamlFiles naming paths relative to it. */
const folderWith = (files: Record<string, string>): { root: string; files: YamlFiles } => {
  const root = mkdtempSync(join(tmpdir(), 'seam-scrape-'));
  temporaries.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, files: new YamlFiles((path) => relative(root, path)) };
};

const textAfter = (files: YamlFiles): string | undefined => files.changes()[0]?.after;

const ours = `# Prometheus for the split.
scrape_configs:
  - job_name: gateway
    metrics_path: /metrics
    dns_sd_configs:
      - names: [gateway]
        type: A
        port: 9464
        refresh_interval: 15s

  # orders serves /metrics on orders:9100.
  - job_name: orders
    metrics_path: /internal/metrics
    dns_sd_configs:
      - names: [orders-svc]
        type: A
        port: 9100
        refresh_interval: 30s

  - job_name: node
    static_configs:
      - targets: [node-exporter:9100]
`;

const orderShapedReviews = `
  # reviews serves /metrics on reviews:9100.
  - job_name: reviews
    metrics_path: /internal/metrics
    dns_sd_configs:
      - names: [reviews]
        type: A
        port: 9100
        refresh_interval: 30s
`;

describe('the scrape file a compose file mounts', () => {
  const servicesOf = (yaml: string): YAMLMap => parseDocument(yaml).get('services', true) as YAMLMap;

  it.each([
    ['the short form', '      - ../observability/split.yml:/etc/prometheus/prometheus.yml:ro\n'],
    ['the long form', '      - type: bind\n        source: ../observability/split.yml\n        target: /etc/prometheus/prometheus.yml\n'],
  ])('is found in %s, relative to the compose file', (_form, volume) => {
    const services = servicesOf(`services:\n  app: { image: seam }\n  prometheus:\n    volumes:\n${volume}`);
    expect(mountedScrapeFile(services, '/project/deploy/split/compose.yaml')).toBe('/project/deploy/observability/split.yml');
  });

  it('is not a named volume, nor a file mounted elsewhere', () => {
    const services = servicesOf('services:\n  prometheus:\n    volumes:\n      - prometheus-config:/etc/prometheus/prometheus.yml\n      - ./rules.yml:/etc/prometheus/rules.yml\n');
    expect(mountedScrapeFile(services, '/project/compose.yaml')).toBeUndefined();
  });
});

describe('a scrape job per service', () => {
  it("copies the template service's job: its path, port, discovery and comment, after the other Seam jobs", () => {
    const { root, files } = folderWith({ 'scrape.yml': ours });
    const scrape = new PrometheusScrapeFile(files, join(root, 'scrape.yml'), 'compose.yaml');
    scrape.addJob('reviews', 'reviews', ['orders-svc', 'gateway']);

    expect(textAfter(files)).toBe(ours.replace('\n  - job_name: node', `${orderShapedReviews}\n  - job_name: node`));
    expect(scrape.notes()).toEqual([]);
  });

  it('copies the next Seam service in line when the template has no job, and adds none twice', () => {
    const { root, files } = folderWith({ 'scrape.yml': ours });
    const scrape = new PrometheusScrapeFile(files, join(root, 'scrape.yml'), 'compose.yaml');
    scrape.addJob('reviews', 'reviews', ['identity', 'gateway']);
    scrape.addJob('reviews', 'reviews', ['identity', 'gateway']);

    const jobs = (parseDocument(textAfter(files) ?? '').toJS() as { scrape_configs: { job_name: string }[] }).scrape_configs;
    expect(jobs.map((job) => job.job_name)).toEqual(['gateway', 'orders', 'reviews', 'node']);
    expect(jobs[2]).toEqual({ job_name: 'reviews', metrics_path: '/metrics', dns_sd_configs: [{ names: ['reviews'], type: 'A', port: 9464, refresh_interval: '15s' }] });
  });

  it('removes the job it wrote, giving back the file byte for byte', () => {
    const { root, files } = folderWith({ 'scrape.yml': ours.replace('\n  - job_name: node', `${orderShapedReviews}\n  - job_name: node`) });
    const scrape = new PrometheusScrapeFile(files, join(root, 'scrape.yml'), 'compose.yaml');
    scrape.removeJob('reviews', 'reviews');

    expect(textAfter(files)).toBe(ours);
    expect(scrape.notes()).toEqual([]);
  });

  it("leaves an operator's own configuration alone and says what to add by hand", () => {
    const own = 'scrape_configs:\n  - job_name: everything\n    static_configs:\n      - targets: [gateway:9464, orders:9464]\n';
    const { root, files } = folderWith({ 'scrape.yml': own });
    const scrape = new PrometheusScrapeFile(files, join(root, 'scrape.yml'), 'compose.yaml');
    scrape.addJob('reviews', 'reviews', ['orders', 'gateway']);
    scrape.removeJob('orders', 'orders');

    expect(files.changes()).toEqual([]);
    expect(scrape.notes()).toEqual([
      'scrape.yml (mounted by compose.yaml) has no job finding a Seam service by DNS (dns_sd_configs names: [<service>]) to copy, so it was left alone: add a scrape job for "reviews" by hand',
      'scrape.yml still scrapes "orders" (job "everything"): remove it by hand',
    ]);
  });

  it('says so when the mounted file does not exist', () => {
    const { root, files } = folderWith({});
    const scrape = new PrometheusScrapeFile(files, join(root, 'missing.yml'), 'compose.yaml');
    scrape.addJob('reviews', 'reviews', ['orders']);

    expect(files.changes()).toEqual([]);
    expect(scrape.notes()).toEqual(['missing.yml, which compose.yaml mounts at /etc/prometheus/prometheus.yml, does not exist: Prometheus scrapes no new service until you add it']);
  });
});
