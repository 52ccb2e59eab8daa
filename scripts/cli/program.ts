/**
 * @module The `seam` program: every command, and how commander's own usage errors read (one
 * line, `seam: ...`). main.ts runs it; tests build it to walk every command's help.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { projectRootOf } from '../entry-command.js';
import { dbCommand } from './commands/db.js';
import { deadLettersCommand } from './commands/dead-letters.js';
import { doctorCommand } from './commands/doctor.js';
import { devCommand, splitCommand, startCommand } from './commands/run.js';
import { apiCommand, contractsCommand } from './commands/snapshots.js';
import { extractCommand, mergeCommand } from './extract/command.js';
import { newModuleCommand } from './new-module/command.js';
import { topologyCommand } from './topology/command.js';

/** The framework's own version: the package.json the CLI ships in (the repository, or an image's /app). */
const cliVersion = (): string => {
  const pkg = JSON.parse(readFileSync(join(projectRootOf(import.meta.dirname), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
};

/** Commander's message on one line, as `seam:` says everything: "error: unknown command 'x'\n(Did you mean y?)" reads "seam: unknown command 'x' (Did you mean y?)". */
export const oneLine = (message: string): string => `seam: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`;

/** `command` and every command under it, depth first. */
export const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];

/** The `seam` program; parsing throws a CommanderError for a usage error (already printed) instead of exiting. */
export const seamProgram = (): Command => {
  const program = new Command('seam')
    .version(cliVersion())
    .description('Run, check and reshape a Seam application: the modules, their topology and their data')
    .addHelpText('after', '\nExample:\n  $ seam dev\n  $ seam doctor\n  $ seam new module reviews --events');
  for (const command of [
    devCommand(),
    startCommand(),
    splitCommand(),
    newModuleCommand(),
    extractCommand(),
    mergeCommand(),
    topologyCommand(),
    contractsCommand(),
    apiCommand(),
    dbCommand(),
    deadLettersCommand(),
    doctorCommand(),
  ]) {
    program.addCommand(command);
  }
  // Settings made on a command reach those created with .command() after them, not those
  // built elsewhere and added: set on every command once the tree is complete.
  for (const command of everyCommand(program)) {
    command.exitOverride().configureOutput({ outputError: (message, write) => write(oneLine(message)) });
  }
  return program;
};
