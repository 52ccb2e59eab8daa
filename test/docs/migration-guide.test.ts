/**
 * docs/migration-guide.md stays true to the repository: every topology file under deploy/
 * loads, every topology the guide shows parses, every script and repository path it names
 * exists, and its command blocks are in the shape the walk (migration-guide-walk.test.ts,
 * which runs them) reads: fast checks that fail before a slow walk would.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { application } from '../../src/application.js';
import { loadTopology, parseTopology, type ServiceSpec } from '../../src/host/topology.js';
import { assignedVariables, guideBlocks } from './guide-blocks.js';
import { guidePorts } from './walk-workspace.js';

const root = join(import.meta.dirname, '..', '..');
const guidePath = 'docs/migration-guide.md';
const guide = readFileSync(join(root, guidePath), 'utf8');
const moduleNames = application.modules.map((module) => module.name);
/**
 * The modules the guide's topologies place: the shop's. A module added since (`seam new
 * module`) is in the files but not in the guide, which is still right about everything else.
 */
const guideModules = (): string[] => moduleNames.filter((name) => fencedBlocks(guide, 'yaml').some((block) => new RegExp(`\\b${name}\\b`).test(block)));

/** `services` without the modules the guide does not know, and without services left running nothing but that. */
const asTheGuideKnowsThem = (services: readonly ServiceSpec[]): ServiceSpec[] =>
  services
    .map((service) => ({ ...service, modules: service.modules.filter((module) => guideModules().includes(module)) }))
    .filter((service) => service.gateway || service.modules.length > 0);

/** Every topology under deploy/: each `topology.yaml`, and every YAML file directly in deploy/examples/. */
const topologyFiles = (): string[] => {
  const all = readdirSync(join(root, 'deploy'), { recursive: true, encoding: 'utf8' }).map((path) => join('deploy', path).replaceAll('\\', '/'));
  const named = all.filter((path) => path.endsWith('/topology.yaml'));
  const examples = all.filter((path) => /^deploy\/examples\/[^/]+\.ya?ml$/.test(path));
  return [...new Set([...named, ...examples])].sort();
};

/** The body of every fenced block whose info string is `lang`. */
const fencedBlocks = (markdown: string, lang: string): string[] =>
  [...markdown.matchAll(/^```([\w-]*)[^\n]*\n([\s\S]*?)^```\s*$/gm)].filter((match) => match[1] === lang).map((match) => match[2] ?? '');

/** Text inside backticks: inline code spans and fenced blocks. */
const codeText = (markdown: string): string[] => {
  const fenced = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```\s*$/gm)].map((match) => match[1] ?? '');
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```\s*$/gm, '');
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? '');
  return [...fenced, ...inline];
};

/** Repository paths (deploy/..., scripts/..., src/..., docs/..., test/..., contracts/...) in `text`. */
const repoPaths = (text: string): string[] =>
  [...text.matchAll(/(?<=^|[\s=('"])((?:deploy|scripts|src|docs|test|contracts)\/[\w./-]*)/g)].map((match) => (match[1] ?? '').replace(/[.,]+$/, ''));

describe('topologies under deploy/', () => {
  const files = topologyFiles();

  it('includes the monolith, the split and the examples', () => {
    expect(files).toEqual(expect.arrayContaining(['deploy/monolith/topology.yaml', 'deploy/split/topology.yaml', 'deploy/examples/inventory-extracted.yaml']));
  });

  it.each(files)('%s is a valid topology', (file) => {
    const topology = loadTopology(join(root, file), moduleNames);
    expect(topology.services.length).toBeGreaterThan(0);
  });

  it('the inventory example runs inventory alone and everything else, with the gateway, in shop', () => {
    const topology = loadTopology(join(root, 'deploy/examples/inventory-extracted.yaml'), moduleNames);
    expect(topology.services.map((service) => service.name)).toEqual(['shop', 'inventory']);
    const [shop, inventory] = topology.services;
    expect(inventory).toMatchObject({ modules: ['inventory'], gateway: false });
    expect(shop?.gateway).toBe(true);
    expect([...(shop?.modules ?? [])].sort()).toEqual(moduleNames.filter((name) => name !== 'inventory').sort());
  });
});

describe(guidePath, () => {
  it('every YAML block with a top-level services: key is a valid topology', () => {
    const topologies = fencedBlocks(guide, 'yaml').filter((block) => {
      const parsed: unknown = parseYaml(block);
      return typeof parsed === 'object' && parsed !== null && 'services' in parsed;
    });
    expect(topologies.length).toBeGreaterThanOrEqual(3);
    for (const [index, block] of topologies.entries()) {
      expect(() => parseTopology(block, `${guidePath}, topology block ${index + 1}`, guideModules())).not.toThrow();
    }
  });

  it('the topologies it shows are the files it names', () => {
    const blocks = fencedBlocks(guide, 'yaml');
    for (const file of ['deploy/examples/inventory-extracted.yaml', 'deploy/examples/inventory-extracted-scaled.yaml']) {
      const fromFile = asTheGuideKnowsThem(loadTopology(join(root, file), moduleNames).services);
      const shown = blocks.some((block) => {
        try {
          return JSON.stringify(parseTopology(block, guidePath, guideModules()).services) === JSON.stringify(fromFile);
        } catch {
          return false;
        }
      });
      expect(shown, `${guidePath} shows ${file}`).toBe(true);
    }
  });

  it('every npm script it runs exists in package.json', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const named = [
      ...[...guide.matchAll(/\bnpm run (?:-s |--silent )?([\w:.-]+)/g)].map((match) => match[1] ?? ''),
      ...[...guide.matchAll(/\bnpm (start|test)\b/g)].map((match) => match[1] ?? ''),
    ];
    expect(named.length).toBeGreaterThan(5);
    expect([...new Set(named)].filter((script) => !(script in scripts))).toEqual([]);
  });

  it('every repository path it names in backticks exists, or is one a seam command it shows would write', () => {
    const paths = [...new Set(codeText(guide).flatMap(repoPaths))];
    const written = [...guide.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((match) => match[1]);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((path) => !existsSync(join(root, path)) && !written.includes(path))).toEqual([]);
  });

  it('is runnable top to bottom: its command blocks parse, one sets the walk\'s variables, and only npm ci is left out', () => {
    const blocks = guideBlocks(guide);
    expect(blocks.filter((block) => block.kind === 'run').length).toBeGreaterThan(20);
    const settings = blocks.filter((block) => block.kind === 'settings');
    expect(settings).toHaveLength(1);
    expect(assignedVariables(settings[0]?.code ?? '').sort()).toEqual(['GUIDE_DIR', ...Object.keys(guidePorts)].sort());
    expect(blocks.filter((block) => block.kind === 'skip').map((block) => block.code.trim())).toEqual(['npm ci']);
    // Fixed ports would collide with whatever else the machine runs: commands use the variables.
    const fixed = blocks.filter((block) => block.kind === 'run' && /127\.0\.0\.1:(3000|3001|5432|5433|6379)\b/.test(block.code));
    expect(fixed.map((block) => block.line)).toEqual([]);
  });

  it('finds what it checks: the path and script extractors are not blind', () => {
    expect(repoPaths('SEAM_TOPOLOGY=deploy/examples/inventory-extracted.yaml npm run split')).toEqual(['deploy/examples/inventory-extracted.yaml']);
    expect(repoPaths('`/app/deploy/split/topology.yaml` and src/host/topology.ts.')).toEqual(['src/host/topology.ts']);
    expect(codeText('a `src/x.ts` b\n```sh\nls deploy/y\n```\n')).toEqual(['ls deploy/y\n', 'src/x.ts']);
    expect(fencedBlocks('```yaml\nservices: {}\n```\n```sh\necho\n```\n', 'yaml')).toEqual(['services: {}\n']);
  });
});
