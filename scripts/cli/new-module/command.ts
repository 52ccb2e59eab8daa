/**
 * @module `seam new module <name> [--events] [--subscribe <module>.<Event>]...`: commander
 * wiring over generate.ts, and what it prints: every file it wrote, the events it consumes,
 * where the module runs, and what to do next.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { findProject, loadApplication, shown, type Project } from '../project.js';
import { generateModule, type GeneratedModule } from './generate.js';
import { moduleNames } from './names.js';
import { heardTable, parseSubscription } from './subscriptions.js';

/** The lines `seam new module` prints after writing the module. */
export const reportLines = (project: Project, generated: GeneratedModule): string[] => {
  const { names, subscriptions, changes, placements, notes } = generated;
  const moduleDir = shown(project, join(project.modulesDir, names.module));
  const step = (command: string, what: string): string => `  ${command.padEnd(40)} ${what}`;
  const handled = (type: string): string => `its handler in ${moduleDir}/module.ts writes it to ${names.module}.${heardTable} and logs "${type} received"`;
  return [
    ...changes.map((change) => `${change.before === undefined ? 'created' : 'changed'} ${shown(project, change.path)}`),
    ...(subscriptions.length > 0 ? ['', 'Subscribes to:', ...subscriptions.map(({ type, module }) => `  ${type} (module ${module}): ${handled(type)}`)] : []),
    ...(placements.length > 0 ? ['', 'Placed in every topology:', ...placements.map((line) => `  ${line}`)] : []),
    ...notes.map((note) => `Note: ${note}.`),
    '',
    'Next steps:',
    step(`npx vitest run ${moduleDir}`, 'runs its test'),
    step('npx seam dev', `then POST /api/v1/${names.kebab} with a bearer token: the example route`),
    `  make the contract, the schema, the service${subscriptions.length > 0 ? ', the handlers' : ''} in ${moduleDir} what ${names.words} really do, then:`,
    step(`npx seam db generate ${names.module}`, 'after a change to schema.ts'),
    step('npx seam contracts snapshot', 'after a change to the contract'),
  ];
};

/** The `new` command; `module <name>` is what it creates today. */
export const newModuleCommand = (): Command => {
  const command = new Command('new')
    .description('create a part of the application from a template')
    .addHelpText('after', '\nExample:\n  $ seam new module reviews --events');
  command
    .command('module')
    .description(
      'write a module (contract, wiring, schema, first migration, service, repository, a test) and an example route, ' +
        'and add it to the application, the public edge, every topology and the snapshots',
    )
    .argument('<name>', 'the module name: a lower-case identifier, e.g. reviews')
    .option('--events', 'declare one event, which the method publishes', false)
    .option(
      '--subscribe <module.Event>',
      "consume another module's event, e.g. reviews.ReviewAdded: a handler that writes it down (repeatable)",
      (given: string, earlier: readonly string[] = []) => [...earlier, given],
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ seam new module reviews --events\n  $ seam new module ratings --subscribe reviews.ReviewAdded\n  $ npx vitest run src/modules/reviews src/modules/ratings',
    )
    .action(async (name: string, options: { readonly events: boolean; readonly subscribe?: readonly string[] }) => {
      // A bad name or a malformed --subscribe is a usage error before any project is read.
      moduleNames(name);
      const subscribe = (options.subscribe ?? []).map(parseSubscription);
      const project = findProject();
      const generated = await generateModule(project, await loadApplication(project), { name, events: options.events, subscribe });
      for (const line of reportLines(project, generated)) console.log(line);
    });
  return command;
};
