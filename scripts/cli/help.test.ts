/**
 * Every `seam` command explains itself with an example, and a usage error, whether commander
 * finds it or a command does, is one line on stderr and exit 2.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { everyCommand, seamProgram } from './program.js';
import { seam } from './seam-process.test-support.js';

/** `seam db generate` for the generate command. */
const fullName = (command: Command): string => (command.parent ? `${fullName(command.parent)} ${command.name()}` : command.name());

/** What `<command> --help` prints, the text added after the usage included. */
const helpOf = (command: Command): string => {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => void (text += chunk) });
  command.outputHelp();
  return text;
};

describe('seam --help', () => {
  const commands = everyCommand(seamProgram());

  it('covers every command group', () => {
    expect(commands.map(fullName)).toEqual(expect.arrayContaining(['seam dev', 'seam start', 'seam split', 'seam db migrate', 'seam dead-letters replay', 'seam doctor', 'seam contracts check', 'seam api snapshot']));
  });

  it.each(commands.map((command) => [fullName(command), command] as const))('%s --help shows an example', (_name, command) => {
    expect(helpOf(command)).toMatch(/\nExample:\n {2}\$ .*\bseam [a-z]/s);
  });
});

describe('usage errors', { timeout: 60_000 }, () => {
  it.each([
    { args: ['nosuch'], line: "seam: unknown command 'nosuch'" },
    { args: ['doctor', '--bogus'], line: "seam: unknown option '--bogus'" },
    { args: ['new', 'module'], line: "seam: missing required argument 'name'" },
    { args: ['dead-letters', 'replay'], line: 'seam: name the dead letters to replay (ids from seam dead-letters list), or pass --all' },
  ])('seam $args: one line, exit 2', async ({ args, line }) => {
    const ending = await seam(args);
    expect(ending).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  it('a command without its subcommand shows its help and exits 2', async () => {
    const ending = await seam(['db']);
    expect(ending.code).toBe(2);
    expect(ending.stderr).toContain('Usage: seam db');
  });
});
