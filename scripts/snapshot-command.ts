/**
 * @module The command line the snapshot scripts share (`scripts/contracts.ts` for contracts,
 * `scripts/public-api.ts` for the public API): `check|snapshot [--dir <path>] [--strict] [--force]`.
 */
import { relative, resolve } from 'node:path';

export interface SnapshotCommand {
  readonly command: 'check' | 'snapshot';
  /** Where the snapshots live: `contracts/` unless `--dir` says otherwise. */
  readonly dir: string;
  /** snapshot only: record breaking changes too. */
  readonly force: boolean;
  /** check only: fail on additive changes not yet recorded. */
  readonly strict: boolean;
}

/** Prints `message` and exits with `code` (2: a usage error). */
export function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

/** `path` relative to where the command was run, for messages. */
export const display = (path: string): string => relative(process.cwd(), path) || '.';

/** The command `script` (its path, for the usage line) was given; a usage error exits 2. */
export const snapshotCommand = (script: string, args: readonly string[] = process.argv.slice(2)): SnapshotCommand => {
  const usage = `usage: tsx ${script} check|snapshot [--dir <path>] [--strict] [--force]`;
  const command = args[0];
  if (command !== 'check' && command !== 'snapshot') fail(usage);
  let dir = resolve(import.meta.dirname, '..', 'contracts');
  let force = false;
  let strict = false;
  for (let index = 1; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--dir') {
      const value = args[++index];
      if (value === undefined) fail(`--dir needs a path\n${usage}`);
      else dir = resolve(value);
    } else if (arg === '--force' && command === 'snapshot') force = true;
    else if (arg === '--strict' && command === 'check') strict = true;
    else fail(`unknown argument "${arg}"\n${usage}`);
  }
  return { command, dir, force, strict };
};
