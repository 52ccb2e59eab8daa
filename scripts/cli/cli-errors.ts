/**
 * @module The two ways a `seam` command ends badly, each printed as one line:
 * a usage error (bad arguments: exit 2, as commander does) and a failure (the command could
 * not do its work: exit 1, or the code given, with what to do next in the message).
 */

/** Bad arguments: an unknown module, a name that is not an identifier, a module that exists. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** The work could not be done; the message says what to do about it. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The one line to print and the exit code for `error`; anything unexpected keeps its stack. */
export const endingOf = (error: unknown): { readonly line: string; readonly exitCode: number } => {
  if (error instanceof UsageError || error instanceof CliFailure) return { line: `seam: ${error.message}`, exitCode: error.exitCode };
  return { line: error instanceof Error ? (error.stack ?? error.message) : String(error), exitCode: 1 };
};
