/**
 * @module The `seam` command line (bin/seam.mjs runs it). A usage error commander finds
 * (unknown command or option, missing argument) is one line and exit 2; every other failure
 * ends through `endingOf`, or as the service itself would for a bad configuration (exit 78).
 * Success only sets the exit code: `seam dev` keeps serving after its command returns.
 */
import { CommanderError } from 'commander';
import { endingOf } from './cli-errors.js';
import { seamProgram } from './program.js';

// A reader that stops early (`seam ... | head`) is not a failure: stop writing, quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await seamProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help, or the version) already.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    // Loaded only now: it imports the framework's configuration, which --help does not need.
    const { operatorEnding } = await import('./commands/operator-errors.js');
    const { line, exitCode } = operatorEnding(error) ?? endingOf(error);
    console.error(line);
    process.exitCode = exitCode;
  }
}
