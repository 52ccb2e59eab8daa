/**
 * @module Typed values out of environment variables: the zod pieces every setting is built from.
 *
 * The kernel's configuration and each module's own settings use the same pieces and report a
 * wrong value the same way (the variable, what was expected, what was given), so an operator
 * reads one format whichever part of the application refused to start.
 */
import { z } from 'zod';

/** Environment variables as the process got them (`process.env`, or a test's map). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Thrown when the environment does not describe a runnable configuration (exit code 78). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** One ConfigError for every problem found, each line naming its variable. */
export const configError = (problems: readonly string[]): ConfigError =>
  new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);

/** `on` or `off`. */
export const onOff = z.enum(['on', 'off'], { error: 'expected "on" or "off"' });

/** A TCP port; 0 asks the system for a free one. */
export const portNumber = z.coerce
  .number({ error: 'expected a whole number from 0 to 65535' })
  .int('expected a whole number from 0 to 65535')
  .min(0, 'expected a whole number from 0 to 65535')
  .max(65535, 'expected a whole number from 0 to 65535');

/**
 * A whole number of `unit` (a plural: "seconds"), at least `min`. A minimum of 0 only rules
 * out negative numbers, which "a whole number of ..." already says; a minimum of 1 reads
 * "at least 1 second".
 */
export const wholeNumber = (unit: string, min: number) => {
  const expected = `expected a whole number of ${unit}`;
  const atLeast = min === 0 ? expected : `expected at least ${min} ${min === 1 ? unit.replace(/s$/, '') : unit}`;
  return z.coerce.number({ error: expected }).int(expected).min(min, atLeast);
};

/** A duration in whole milliseconds, at least `min`. */
export const milliseconds = (min: number) => wholeNumber('milliseconds', min);

/** A duration in whole seconds, at least `min`. */
export const seconds = (min: number) => wholeNumber('seconds', min);

const describeReceived = (env: Environment, variable: string): string => {
  const value = env[variable];
  return value === undefined ? 'it is not set' : `got ${JSON.stringify(value)}`;
};

/** The parsed variables, or one line per invalid variable. */
export type EnvironmentReading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses `env` with `schema` (an object schema keyed by variable name), describing every
 * invalid variable rather than stopping at the first.
 */
export const readEnvironment = <S extends z.ZodType>(schema: S, env: Environment): EnvironmentReading<z.output<S>> => {
  const parsed = schema.safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(environment)');
    return `${variable}: ${issue.message}, ${describeReceived(env, variable)}`;
  });
  return { ok: false, problems };
};

/**
 * Parses `env` with `schema`, or throws one ConfigError naming every invalid variable.
 *
 * @example
 * const vars = parseEnvironment(z.object({ PORT: portNumber.default(3000) }), process.env);
 */
export const parseEnvironment = <S extends z.ZodType>(schema: S, env: Environment): z.output<S> => {
  const reading = readEnvironment(schema, env);
  if (!reading.ok) throw configError(reading.problems);
  return reading.value;
};
