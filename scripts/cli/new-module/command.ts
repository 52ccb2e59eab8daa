/**
 * @module `seam new module <name> [--events]`: commander wiring over generate.ts, and what
 * it prints: every file it wrote, where the module runs, and what to do next.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { findProject, loadApplication, shown, type Project } from '../project.js';
import { generateModule, type GeneratedModule } from './generate.js';
import { moduleNames } from './names.js';

/** The lines `seam new module` prints after writing the module. */
export const reportLines = (project: Project, generated: GeneratedModule): string[] => {
  const { names, changes, placements } = generated;
  const moduleDir = shown(project, join(project.modulesDir, names.module));
  const step = (command: string, what: string): string => `  ${command.padEnd(40)} ${what}`;
  return [
    ...changes.map((change) => `${change.before === undefined ? 'created' : 'changed'} ${shown(project, change.path)}`),
    ...(placements.length > 0 ? ['', 'Placed in every topology:', ...placements.map((line) => `  ${line}`)] : []),
    '',
    'Next steps:',
    step(`npx vitest run ${moduleDir}`, 'runs its test'),
    step('npx seam dev', `then POST /api/v1/${names.kebab} with a bearer token: the example route`),
    `  make the contract, the schema and the service in ${moduleDir} what ${names.words} really do, then:`,
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
    .addHelpText('after', '\nExample:\n  $ seam new module reviews --events\n  $ npx vitest run src/modules/reviews')
    .action(async (name: string, options: { readonly events: boolean }) => {
      moduleNames(name); // a bad name is a usage error before any project is read
      const project = findProject();
      const generated = await generateModule(project, await loadApplication(project), { name, events: options.events });
      for (const line of reportLines(project, generated)) console.log(line);
    });
  return command;
};
