/**
 * `seam new module reviews --events` (and `loyalty_points`, without; and `ratings --subscribe
 * reviews.ReviewAdded`, which consumes reviews' event) in a scratch copy of the repository, as
 * a team would run it, then the copy's own checks: types, architecture rules (and that they
 * still catch a breach by the new module), the generated tests, the contract snapshots, and the
 * example route answering through the gateway of the running monolith. Bad arguments change
 * nothing.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const copied = ['src', 'scripts', 'deploy', 'contracts', 'bin', 'package.json', 'tsconfig.json', '.dependency-cruiser.js', '.dependency-cruiser.d.ts', 'vitest.config.ts', 'drizzle.config.ts', join('test', 'support')];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` in `cwd` to its end; never rejects, the exit code tells. */
const run = (cwd: string, command: string, args: readonly string[]): Promise<Run> =>
  new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, LOG_LEVEL: 'silent', NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });

const npx = (cwd: string, ...args: string[]): Promise<Run> => run(cwd, join(repo, 'node_modules', '.bin', args[0]!), args.slice(1));
const seam = (cwd: string, ...args: string[]): Promise<Run> => run(cwd, process.execPath, [join(cwd, 'bin', 'seam.mjs'), ...args]);

/** This test makes reviews and ratings in its copy: a repository that has either already (made by the guide) would refuse, rightly. */
const madeAlready = ['reviews', 'ratings'].filter((name) => existsSync(join(repo, 'src', 'modules', name)));

describe.skipIf(madeAlready.length > 0)(`seam new module reviews --events, in a copy of the repository${madeAlready.length > 0 ? ` (skipped: the repository has ${madeAlready.join(' and ')} already)` : ''}`, () => {
  let project: string;
  let generated: Run;
  let withoutEvents: Run;
  let subscriber: Run;
  const read = (path: string): string => readFileSync(join(project, path), 'utf8');

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'seam-new-module-'));
    // The tooling's own tests stay behind: they need the rest of test/, and check the tooling, not the application.
    const wanted = (source: string): boolean => !(source.startsWith(join(repo, 'scripts')) && source.endsWith('.test.ts'));
    for (const path of copied) if (existsSync(join(repo, path))) cpSync(join(repo, path), join(project, path), { recursive: true, filter: wanted });
    symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'));
    generated = await seam(project, 'new', 'module', 'reviews', '--events');
    // And one without an event, with a name of two words: the other spelling of every template.
    withoutEvents = await seam(project, 'new', 'module', 'loyalty_points');
    // And one that consumes reviews' event: it needs reviews in the application first.
    subscriber = await seam(project, 'new', 'module', 'ratings', '--subscribe', 'reviews.ReviewAdded');
  });
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('writes the module and its route, lists them, and places the module in every topology', () => {
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    const lines = generated.stdout.split('\n');
    for (const file of ['contract.ts', 'module.ts', 'schema.ts', 'reviews.service.ts', 'review.repository.ts', 'reviews.service.test.ts', 'migrations/0000_init.sql', 'migrations/meta/_journal.json']) {
      expect(lines).toContain(`created src/modules/reviews/${file}`);
    }
    expect(lines).toEqual(expect.arrayContaining(['created src/api/reviews.routes.ts', 'changed src/application.ts', 'changed src/api/edge.ts', 'created contracts/reviews.v1.json']));
    expect(lines).toContain('Next steps:');
    expect(read('src/modules/reviews/migrations/0000_init.sql')).toContain('CREATE SCHEMA IF NOT EXISTS "reviews"');

    const servicesOf = (file: string) => (parseYaml(read(file)) as { services: Record<string, { modules?: string[] }> }).services;
    expect(servicesOf('deploy/monolith/topology.yaml')['shop']?.modules).toContain('reviews');
    expect(servicesOf('deploy/split/topology.yaml')['reviews']?.modules).toEqual(['reviews']);
    expect(servicesOf('deploy/examples/inventory-extracted.yaml')['shop']?.modules).toContain('reviews');
    expect(read('contracts/public-api.v1.openapi.json')).toContain('"/reviews"');
    // The split's Prometheus scrapes the new service as it scrapes the others (test/deploy/observability.test.ts checks every one has a job).
    expect(lines).toContain('changed deploy/observability/prometheus/split.yml');
    const scrapeJobs = (parseYaml(read('deploy/observability/prometheus/split.yml')) as { scrape_configs: { job_name: string; dns_sd_configs: { names: string[]; port: number }[] }[] }).scrape_configs;
    expect(scrapeJobs.find((job) => job.job_name === 'reviews')?.dns_sd_configs).toEqual([{ names: ['reviews'], type: 'A', port: 9464, refresh_interval: '15s' }]);

    expect(withoutEvents.code).toBe(0);
    expect(withoutEvents.stdout.split('\n')).toEqual(expect.arrayContaining(['created src/modules/loyalty_points/loyalty-point.repository.ts', 'created contracts/loyalty-points.v1.json']));
    expect(servicesOf('deploy/split/topology.yaml')['loyalty-points']?.modules).toEqual(['loyalty_points']);
  });

  it("writes a subscriber that imports only the publisher's contract and keeps an inbox", () => {
    expect(subscriber.stderr).toBe('');
    expect(subscriber.code).toBe(0);
    const lines = subscriber.stdout.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['created src/modules/ratings/heard-event.repository.ts', 'created src/modules/ratings/ratings.service.test.ts', 'Subscribes to:']));
    expect(lines).toContain(
      '  reviews/v1#ReviewAdded (module reviews): its handler in src/modules/ratings/module.ts writes it to ratings.heard_events and logs "reviews/v1#ReviewAdded received"',
    );
    const module = read('src/modules/ratings/module.ts');
    expect(module).toContain("subscribes: [subscription(reviewsContract, 'ReviewAdded')],");
    expect(module.match(/from '\.\.\/[^']+'/g)).toEqual(["from '../../kernel/events.js'", "from '../../kernel/module.js'", "from '../reviews/contract.js'"]);
    const migration = read('src/modules/ratings/migrations/0000_init.sql');
    expect(migration).toContain('CREATE TABLE "ratings"."inbox"');
    expect(migration).toContain('CREATE TABLE "ratings"."heard_events"');
  });

  it('type-checks, and keeps the architecture rules', { timeout: 300_000 }, async () => {
    const [types, architecture] = await Promise.all([npx(project, 'tsc', '-p', '.'), npx(project, 'depcruise', 'src', '--config', '.dependency-cruiser.js')]);
    expect(types.stdout).toBe('');
    expect(types.code).toBe(0);
    expect(architecture.stdout).toContain('no dependency violations found');
  });

  // reviews' and ratings' generated tests, a boundary break in reviews, and its route through the
  // monolith's gateway are walked in docs/guide/first-module.md (test/docs/first-module-walk.test.ts).
  it('passes the test generated beside a module without events', { timeout: 180_000 }, async () => {
    const tests = await npx(project, 'vitest', 'run', 'src/modules/loyalty_points');
    expect(tests.stdout).toMatch(/Tests\s+3 passed \(3\)/);
    expect(tests.code).toBe(0);
  });

  it('has its contract snapshot recorded', { timeout: 120_000 }, async () => {
    const check = await seam(project, 'contracts', 'check', '--strict');
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(JSON.parse(read('contracts/reviews.v1.json'))).toMatchObject({ name: 'reviews', version: 1 });
  });

  it.each([
    [['Reviews'], /^seam: "Reviews" is not a module name: use a lower-case identifier/],
    [['user-profiles'], /^seam: "user-profiles" is not a module name/],
    [['catalog'], /^seam: module catalog exists already in src\/application\.ts$/],
    [['reviews'], /^seam: module reviews exists already in src\/application\.ts$/],
    [['feedback', '--subscribe', 'reviews'], /^seam: --subscribe "reviews" is not <module>\.<Event>/],
    [['feedback', '--subscribe', 'wishlists.WishMade'], /^seam: --subscribe wishlists\.WishMade: the application has no module wishlists \(its modules: identity, .*, ratings\)$/],
    [['feedback', '--subscribe', 'reviews.ReviewRemoved'], /^seam: --subscribe reviews\.ReviewRemoved: reviews\/v1 declares no event ReviewRemoved \(its events: ReviewAdded\)$/],
  ])('refuses %j with one line and exit 2, changing nothing', { timeout: 60_000 }, async (args, message) => {
    const application = read('src/application.ts');
    const refused = await seam(project, 'new', 'module', ...args);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(read('src/application.ts')).toBe(application);
    expect(existsSync(join(project, 'src', 'modules', 'feedback'))).toBe(false);
  });

  it('refuses a folder that is in the way even when no module uses it', { timeout: 60_000 }, async () => {
    mkdirSync(join(project, 'src', 'modules', 'wishlists'));
    const refused = await seam(project, 'new', 'module', 'wishlists');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trimEnd()).toBe('seam: src/modules/wishlists exists already: choose another name, or remove it');
  });
});
