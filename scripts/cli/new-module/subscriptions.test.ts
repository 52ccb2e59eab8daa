import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../../src/host/application.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import type { Project } from '../project.js';
import { moduleNames } from './names.js';
import { parseSubscription, resolveSubscriptions } from './subscriptions.js';

describe('parseSubscription', () => {
  it('reads <module>.<Event>', () => {
    expect(parseSubscription('loyalty_points.PointsEarned')).toEqual({ module: 'loyalty_points', event: 'PointsEarned' });
  });

  it.each(['reviews', 'reviews.', '.ReviewAdded', 'Reviews.ReviewAdded', 'reviews.Review.Added', 'reviews/v1#ReviewAdded'])('refuses %s as a usage error naming the form', (given) => {
    expect(() => parseSubscription(given)).toThrow(UsageError);
    expect(() => parseSubscription(given)).toThrow(`--subscribe "${given}" is not <module>.<Event>`);
  });
});

describe('resolveSubscriptions', () => {
  let root: string;
  let project: Project;
  let application: Application;

  // A project of two modules whose contract.ts files export plain data: only identity and names are read.
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'seam-subscriptions-'));
    const at = (path: string): string => join(root, path);
    project = { root, applicationFile: at('src/application.ts'), mainFile: at('src/main.ts'), modulesDir: at('src/modules'), apiDir: at('src/api'), deployDir: at('deploy'), contractsDir: at('contracts') };
    const contractFile = (module: string, text: string): string => {
      mkdirSync(at(`src/modules/${module}`), { recursive: true });
      writeFileSync(at(`src/modules/${module}/contract.ts`), text);
      return at(`src/modules/${module}/contract.ts`);
    };
    const talks = (await import(
      pathToFileURL(contractFile('talks', "export const talksContract = { name: 'talks', version: 2, id: 'talks/v2', methods: {}, events: { TalkGiven: {}, TalkCancelled: {} } };\n")).href
    )) as { talksContract: unknown };
    contractFile('quiet', "export const somethingElse = { id: 'quiet/v1' };\n");
    const quietContract = { name: 'quiet', version: 1, id: 'quiet/v1', methods: {}, events: { Hushed: {} } };
    const silentContract = { name: 'silent', version: 1, id: 'silent/v1', methods: {}, events: {} };
    application = {
      name: 'conference',
      modules: [
        { name: 'talks', provides: talks.talksContract },
        { name: 'quiet', provides: quietContract },
        { name: 'silent', provides: silentContract },
      ],
    } as unknown as Application;
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const resolve = (...given: string[]) => resolveSubscriptions(project, application, moduleNames('ratings'), given.map(parseSubscription));

  it('finds each event and the export of its contract.ts', async () => {
    expect(await resolve('talks.TalkGiven', 'talks.TalkCancelled')).toEqual([
      { module: 'talks', event: 'TalkGiven', type: 'talks/v2#TalkGiven', contractFile: join(root, 'src/modules/talks/contract.ts'), contractExport: 'talksContract' },
      { module: 'talks', event: 'TalkCancelled', type: 'talks/v2#TalkCancelled', contractFile: join(root, 'src/modules/talks/contract.ts'), contractExport: 'talksContract' },
    ]);
  });

  it.each([
    [['sessions.TalkGiven'], '--subscribe sessions.TalkGiven: the application has no module sessions (its modules: talks, quiet, silent)'],
    [['talks.TalkMoved'], '--subscribe talks.TalkMoved: talks/v2 declares no event TalkMoved (its events: TalkGiven, TalkCancelled)'],
    [['silent.Hushed'], '--subscribe silent.Hushed: silent/v1 declares no event Hushed (it declares no events)'],
    [['talks.TalkGiven', 'talks.TalkGiven'], '--subscribe talks.TalkGiven is given twice'],
  ])('refuses %j as a usage error: %s', async (given, message) => {
    const refused = resolve(...given);
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(message);
  });

  it('refuses a module named like the table a subscriber records its events in', async () => {
    await expect(resolveSubscriptions(project, application, moduleNames('heard_events'), [parseSubscription('talks.TalkGiven')])).rejects.toThrow(UsageError);
  });

  it('fails, naming the file, when the contract.ts does not export the module\'s contract', async () => {
    const refused = resolve('quiet.Hushed');
    await expect(refused).rejects.toThrow(CliFailure);
    await expect(refused).rejects.toThrow('src/modules/quiet/contract.ts does not export quiet/v1');
  });
});
