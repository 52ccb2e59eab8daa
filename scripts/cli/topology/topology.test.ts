/**
 * `seam topology check` and `seam topology graph`. The graph's edges are compared with edges
 * worked out here from the modules' own declarations (requires, subscribes, the edge's
 * requires), so a contract call or event flow the graph dropped would fail the test.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../../../src/application.js';
import { loadTopology, type Topology } from '../../../src/host/topology.js';
import { repositoryRoot, scratchProject, type ScratchProject } from '../extract/scratch-project.test-support.js';
import { checkTopology } from './check.js';
import { topologyGraph } from '../../../src/host/topology-graph.js';
import { dotOf, mermaidOf } from './graph.js';

const names = application.modules.map((module) => module.name);
const splitFile = join(repositoryRoot, 'deploy', 'split', 'topology.yaml');
const split = loadTopology(splitFile, names);

/** "from call to label" and "from event to label", one per contract or event, straight from the declarations. */
const expectedEdges = (topology: Topology): string[] => {
  const serviceOf = (module: string): string => topology.services.find((service) => service.modules.includes(module))?.name ?? '?';
  const provider = (contractId: string): string => serviceOf(application.modules.find((module) => module.provides.id === contractId)?.name ?? '?');
  const edges = new Set<string>();
  for (const module of application.modules) {
    for (const contract of Object.values(module.requires)) edges.add(`${serviceOf(module.name)} call ${provider(contract.id)} ${contract.id}`);
    for (const contract of module.seed?.requires ?? []) edges.add(`${serviceOf(module.name)} call ${provider(contract.id)} ${contract.id} (seed)`);
    for (const subscription of module.subscribes ?? []) edges.add(`${provider(subscription.contract.id)} event ${serviceOf(module.name)} ${subscription.event}`);
  }
  const gateway = topology.services.find((service) => service.gateway)?.name ?? '?';
  for (const contract of Object.values(application.edge.requires)) edges.add(`${gateway} call ${provider(contract.id)} ${contract.id}`);
  return [...edges].filter((edge) => edge.split(' ')[0] !== edge.split(' ')[2]).sort();
};

/** The same four-part edges, read back from Mermaid text. */
const mermaidEdges = (text: string): string[] =>
  text.split('\n').flatMap((line) => {
    const match = /^ {2}(\S+) (-->|-\.->)\|"([^"]*)"\| (\S+)$/.exec(line);
    if (!match) return [];
    const [, from, arrow, labels, to] = match;
    return (labels ?? '').split(', ').map((label) => `${from} ${arrow === '-->' ? 'call' : 'event'} ${to} ${label}`);
  });

const dotEdges = (text: string): string[] =>
  text.split('\n').flatMap((line) => {
    const match = /^ {2}"(\S+)" -> "(\S+)" \[(style=dashed, )?label="([^"]*)"\];$/.exec(line);
    if (!match) return [];
    const [, from, to, dashed, labels] = match;
    return (labels ?? '').split(', ').map((label) => `${from} ${dashed ? 'event' : 'call'} ${to} ${label}`);
  });

describe('seam topology graph', () => {
  const graph = topologyGraph(application, split);

  it('draws every service of deploy/split with the modules it runs', () => {
    const text = mermaidOf(graph);
    for (const service of split.services) {
      expect(text).toMatch(new RegExp(`^ {2}${service.name}\\["${service.name}[^"]*<br/>${service.modules.length > 0 ? service.modules.join(', ') : 'no modules'}"\\]$`, 'm'));
    }
  });

  it('draws every contract call and event flow the modules declare, and nothing else (Mermaid)', () => {
    const expected = expectedEdges(split);
    expect(expected.some((edge) => edge.includes(' event '))).toBe(true);
    expect(mermaidEdges(mermaidOf(graph)).sort()).toEqual(expected);
  });

  it('draws the same edges in dot, events dashed', () => {
    const text = dotOf(graph);
    expect(text).toMatch(/^digraph topology \{\n/);
    expect(dotEdges(text).sort()).toEqual(expectedEdges(split));
  });

  it('leaves out what stays inside one service: the monolith is one node and no edge', () => {
    const monolith = topologyGraph(application, loadTopology(join(repositoryRoot, 'deploy', 'monolith', 'topology.yaml'), names));
    expect(monolith.services).toHaveLength(1);
    expect(monolith.edges).toEqual([]);
  });
});

describe('seam topology check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seam-topology-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const everyModuleBut = (left: string): string => names.filter((name) => name !== left).join(', ');

  it.each(readdirSync(join(repositoryRoot, 'deploy'), { recursive: true, encoding: 'utf8' }).filter((path) => /(^|\/)(topology|inventory-extracted[a-z-]*)\.yaml$/.test(path)))(
    'deploy/%s is ok',
    (path) => {
      expect(checkTopology(application, join(repositoryRoot, 'deploy', path)).problems).toEqual([]);
    },
  );

  it('the built-in monolith is ok', () => {
    expect(checkTopology(application, undefined)).toMatchObject({ problems: [], topology: { source: 'built-in monolith' } });
  });

  it.each([
    {
      name: 'two gateways',
      text: `services:\n  a:\n    gateway: true\n    modules: [${names.join(', ')}]\n  b:\n    gateway: true\n`,
      problem: '2 services are gateways (a, b): exactly one serves the public API',
    },
    { name: 'no gateway', text: `services:\n  a:\n    modules: [${names.join(', ')}]\n`, problem: 'no service is the gateway (set "gateway: true" on one)' },
    {
      name: 'a module placed twice',
      text: `services:\n  a:\n    gateway: true\n    modules: [${names.join(', ')}]\n  b:\n    modules: [inventory]\n`,
      problem: 'module "inventory" is placed twice: in "a" and in "b"',
    },
    {
      name: 'a module nowhere, whose contract others require',
      text: `services:\n  a:\n    gateway: true\n    modules: [${everyModuleBut('inventory')}]\n`,
      problem: 'service "a" (module orders) requires contract inventory/v1, but no service runs inventory, which provides it',
    },
    {
      name: 'an unknown module',
      text: `services:\n  a:\n    gateway: true\n    modules: [${names.join(', ')}, no_such_module]\n`,
      problem: 'service "a" names unknown module "no_such_module"',
    },
  ])('finds $name', ({ name, text, problem }) => {
    const result = checkTopology(application, file(`${name.replaceAll(' ', '-')}.yaml`, text));
    expect(result.topology).toBeUndefined();
    expect(result.problems.some((found) => found.startsWith(problem))).toBe(true);
  });
});

describe('seam topology as a command', { timeout: 120_000 }, () => {
  let scratch: ScratchProject;
  beforeAll(() => {
    scratch = scratchProject();
  });
  afterAll(() => scratch.remove());

  it('check: ok and a one-line summary, exit 0', async () => {
    const ending = await scratch.seam(['topology', 'check', 'deploy/split/topology.yaml']);
    // Counted from the file here, so a module added to the application (and the split) keeps this true.
    const { services } = loadTopology(scratch.at('deploy/split/topology.yaml'), application.modules.map((module) => module.name));
    const replicas = services.reduce((sum, service) => sum + service.replicas, 0);
    const summary = `${services.length} services (gateway: gateway), ${application.modules.length} modules, ${replicas} replicas`;
    expect(ending).toEqual({ code: 0, stdout: `ok: deploy/split/topology.yaml: ${summary}\n`, stderr: '' });
  });

  it('check: the problems, exit 1', async () => {
    writeFileSync(scratch.at('broken.yaml'), `services:\n  a:\n    gateway: true\n    modules: [${names.filter((name) => name !== 'inventory').join(', ')}]\n`);
    const ending = await scratch.seam(['topology', 'check', 'broken.yaml']);
    expect(ending.code).toBe(1);
    expect(ending.stdout).toMatch(/^broken.yaml: \d+ problems\n {2}- no service runs "inventory"/);
  });

  it('graph without a file: the built-in monolith, one node', async () => {
    const ending = await scratch.seam(['topology', 'graph']);
    expect(ending).toEqual({ code: 0, stdout: `flowchart LR\n  shop["shop (gateway)<br/>${names.join(', ')}"]\n`, stderr: '' });
  });

  it.each([
    { args: ['topology', 'graph', '--format', 'svg'], line: /^seam: option '--format <format>' argument 'svg' is invalid/ },
    { args: ['topology', 'check', 'nowhere.yaml'], line: /^seam: nowhere.yaml does not exist/ },
  ].map((usage) => ({ ...usage, command: usage.args.join(' ') })))('seam $command: one line, exit 2', async ({ args, line }) => {
    const ending = await scratch.seam(args);
    expect(ending).toMatchObject({ code: 2, stdout: '' });
    expect(ending.stderr.trimEnd()).toMatch(line);
    expect(ending.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
