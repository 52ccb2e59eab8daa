/**
 * @module Module settings: the environment variables a module declares for itself.
 *
 * The framework names no module's settings. A module declares a prefix and a zod schema over
 * its own variables; at start the host hands the schema only the variables under that prefix
 * and gives the parsed result to that module alone, so no module reads another's settings and
 * adding one touches nothing outside the module.
 */
import type { z } from 'zod';
import { frameworkVariables } from './config.js';
import { configError, readEnvironment, type Environment } from './environment.js';

/**
 * A module's own environment variables: every name starts with `prefix`, and `schema` parses
 * them from their strings (build its fields from `environment.ts`, with defaults).
 *
 * @example
 * const settings = {
 *   prefix: 'MAIL_',
 *   schema: z.object({ MAIL_RETRY_SECONDS: seconds(1).default(60) }),
 * } satisfies ModuleSettings;
 */
export interface ModuleSettings<S extends z.ZodObject = z.ZodObject> {
  readonly prefix: string;
  readonly schema: S;
}

/** The parsed settings a module with `settings` receives. */
export type SettingsOf<M extends ModuleSettings> = z.output<M['schema']>;

/** Anything that may declare settings: a module, as the kernel sees it without importing module.ts. */
interface SettingsOwner {
  readonly name: string;
  readonly settings?: ModuleSettings;
}

const prefixPattern = /^[A-Z][A-Z0-9_]*_$/;

/** Refuses a prefix that is not an upper-case name ending in "_", and variables outside it. */
export const assertSettingsNamed = (owner: string, settings: ModuleSettings): void => {
  if (!prefixPattern.test(settings.prefix)) {
    throw new Error(`Module ${owner}: settings prefix "${settings.prefix}" must be upper-case letters, digits and "_", ending in "_"`);
  }
  const outside = Object.keys(settings.schema.shape).filter((variable) => !variable.startsWith(settings.prefix));
  if (outside.length > 0) throw new Error(`Module ${owner}: settings ${outside.join(', ')} do not start with its prefix ${settings.prefix}`);
  const taken = Object.keys(settings.schema.shape).filter((variable) => frameworkVariables.has(variable));
  if (taken.length > 0) throw new Error(`Module ${owner}: the framework reads ${taken.join(', ')} itself; a module setting may not`);
};

/** Two modules whose prefixes overlap would each read the other's variables. */
const assertPrefixesApart = (owners: readonly SettingsOwner[]): void => {
  for (const one of owners) {
    for (const other of owners) {
      if (one === other || !one.settings || !other.settings) continue;
      if (one.settings.prefix.startsWith(other.settings.prefix)) {
        throw new Error(`Modules ${one.name} and ${other.name} both read ${one.settings.prefix}* variables: each module's settings prefix must be its own`);
      }
    }
  }
};

/** The variables under `prefix`, and only those: the module's schema sees nothing else. */
const variablesUnder = (prefix: string, env: Environment): Environment =>
  Object.fromEntries(Object.entries(env).filter(([variable]) => variable.startsWith(prefix)));

/**
 * Parses one module's settings from `env`.
 *
 * @example
 * const mail = parseModuleSettings(mailSettings, { MAIL_RETRY_SECONDS: '5' });
 * @throws ConfigError naming every invalid variable.
 */
export const parseModuleSettings = <S extends z.ZodObject>(settings: ModuleSettings<S>, env: Environment): z.output<S> => {
  const reading = readEnvironment(settings.schema, variablesUnder(settings.prefix, env));
  if (!reading.ok) throw configError(reading.problems);
  return reading.value;
};

/**
 * Parses the settings of every module in `modules` (modules without settings get `{}`),
 * reporting the invalid variables of all of them in one ConfigError, as loadConfig does.
 */
export const readModuleSettings = (modules: readonly SettingsOwner[], env: Environment): ReadonlyMap<string, Readonly<Record<string, unknown>>> => {
  assertPrefixesApart(modules);
  const parsed = new Map<string, Readonly<Record<string, unknown>>>();
  const problems: string[] = [];
  for (const module of modules) {
    if (!module.settings) {
      parsed.set(module.name, {});
      continue;
    }
    const reading = readEnvironment(module.settings.schema, variablesUnder(module.settings.prefix, env));
    if (reading.ok) parsed.set(module.name, reading.value);
    else problems.push(...reading.problems);
  }
  if (problems.length > 0) throw configError(problems);
  return parsed;
};
