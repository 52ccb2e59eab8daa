/**
 * @module `seam topology check [file]` and `seam topology graph [file] --format mermaid|dot`:
 * commander wiring over check.ts and graph.ts. Without a file, both take the built-in monolith.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CliFailure, UsageError } from '../cli-errors.js';
import { findProject, loadApplication, shown } from '../project.js';
import { checkTopology, summaryOf } from './check.js';
import { topologyGraph } from '../../../src/host/topology-graph.js';
import { dotOf, mermaidOf } from './graph.js';

const fileArgument = (file: string | undefined): string | undefined => {
  if (file === undefined) return undefined;
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`${file} does not exist: give the path of a topology file, e.g. deploy/split/topology.yaml`);
  return path;
};

const check = async (file: string | undefined): Promise<void> => {
  const path = fileArgument(file);
  const project = findProject();
  const name = path === undefined ? 'the built-in monolith' : shown(project, path);
  const result = checkTopology(await loadApplication(project), path);
  if (result.topology && result.problems.length === 0) {
    console.log(`ok: ${name}: ${summaryOf(result.topology)}`);
    return;
  }
  console.log(`${name}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
  for (const problem of result.problems) console.log(`  - ${problem}`);
  process.exitCode = 1;
};

const graph = async (file: string | undefined, options: { readonly format: 'mermaid' | 'dot' }): Promise<void> => {
  const path = fileArgument(file);
  const project = findProject();
  const application = await loadApplication(project);
  const result = checkTopology(application, path);
  if (!result.topology) throw new CliFailure(`${path === undefined ? 'the built-in monolith' : shown(project, path)} is not valid (${result.problems[0]}): see seam topology check ${file ?? ''}`.trim());
  const drawn = topologyGraph(application, result.topology);
  console.log(options.format === 'dot' ? dotOf(drawn) : mermaidOf(drawn));
};

export const topologyCommand = (): Command => {
  const command = new Command('topology')
    .description('check a topology, or draw its services and what crosses between them')
    .addHelpText('after', '\nExample:\n  $ seam topology check deploy/split/topology.yaml\n  $ seam topology graph deploy/split/topology.yaml --format dot | dot -Tsvg > topology.svg');
  command
    .command('check')
    .description('check a topology against the application: every module in exactly one service, exactly one gateway, every required contract provided')
    .argument('[file]', 'the topology file (default: the built-in monolith)')
    .addHelpText('after', '\nExample:\n  $ seam topology check deploy/split/topology.yaml')
    .action(check);
  command
    .command('graph')
    .description("draw the services, the modules each runs, and the contract calls (solid) and event flows (dashed) between them, from the modules' declarations")
    .argument('[file]', 'the topology file (default: the built-in monolith)')
    .addOption(new Option('--format <format>', 'mermaid or dot').choices(['mermaid', 'dot']).default('mermaid'))
    .addHelpText('after', '\nExample:\n  $ seam topology graph deploy/split/topology.yaml\n  $ seam topology graph deploy/split/topology.yaml --format dot')
    .action(graph);
  return command;
};
