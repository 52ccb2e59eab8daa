/**
 * @module Every name a generated module uses, derived from the one the user typed: its
 * identifiers, files, contract, error code, event, table and route, so templates never
 * spell a name themselves and two generated modules never clash.
 */
import { UsageError } from '../cli-errors.js';

export interface ModuleNames {
  /** As typed: the module's name, its PostgreSQL schema and its table (`loyalty_points`). */
  readonly module: string;
  /** camelCase of the module (`loyaltyPoints`): variables, the edge's `requires` key. */
  readonly camel: string;
  /** PascalCase of the module (`LoyaltyPoints`): the service class and the API type. */
  readonly pascal: string;
  /** kebab-case of the module (`loyalty-points`): the contract name, file names, the route path. */
  readonly kebab: string;
  /** One thing the module keeps (`loyalty_point`; `reviews` keeps a `review`). */
  readonly one: { readonly camel: string; readonly pascal: string; readonly kebab: string; readonly constant: string; readonly words: string };
  /** The module in words (`loyalty points`), for summaries and tags. */
  readonly words: string;
}

const identifier = /^[a-z][a-z0-9_]*$/;

// Names a generated identifier or PostgreSQL schema cannot take.
const reservedWords = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'implements import in instanceof interface let new null package private protected public return static super switch this ' +
    'throw true try typeof var void while with yield await arguments eval information_schema outbox inbox'
  ).split(' '),
);

/** Types the generated files import, which a module's own type names must not shadow. */
const takenByTemplates = new Set(['Database', 'Hono', 'EventPublisher', 'EventEnvelope', 'AccessTokens', 'ContractApi', 'MethodInput', 'MethodOutput', 'DatabaseHandle', 'ModuleHost']);

const words = (name: string): string[] => name.split('_').filter((word) => word !== '');
const capitalised = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** English plural to singular, for the common endings; a word it does not know stays as it is. */
const singularOf = (word: string): string => {
  if (/ies$/.test(word) && word.length > 3) return `${word.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word) && !/(ss|us|is)$/.test(word) && word.length > 1) return word.slice(0, -1);
  return word;
};

const casesOf = (parts: readonly string[]) => ({
  camel: parts.map((part, index) => (index === 0 ? part : capitalised(part))).join(''),
  pascal: parts.map(capitalised).join(''),
  kebab: parts.join('-'),
  constant: parts.join('_').toUpperCase(),
  words: parts.join(' '),
});

/**
 * The names of module `name`, or a usage error saying why it cannot be one: a lower-case
 * identifier (letters, digits, `_`), not a reserved word, not PostgreSQL's own schemas.
 */
export const moduleNames = (name: string): ModuleNames => {
  if (!identifier.test(name) || name.endsWith('_') || name.includes('__')) {
    throw new UsageError(`"${name}" is not a module name: use a lower-case identifier (letters, digits and single "_", starting with a letter), e.g. reviews`);
  }
  if (reservedWords.has(name) || name.startsWith('pg_')) throw new UsageError(`"${name}" is a reserved word in TypeScript or PostgreSQL: choose another module name`);
  if (name.length > 40) throw new UsageError(`"${name}" is too long for a module name: at most 40 characters (it names a service and a database role)`);
  const parts = words(name);
  const last = parts.at(-1) ?? name;
  const module = casesOf(parts);
  const one = casesOf([...parts.slice(0, -1), singularOf(last)]);
  if (takenByTemplates.has(one.pascal) || takenByTemplates.has(module.pascal)) {
    throw new UsageError(`"${name}" would name a type like the framework's ${one.pascal}: choose another module name`);
  }
  return {
    module: name,
    camel: module.camel,
    pascal: module.pascal,
    kebab: module.kebab,
    words: module.words,
    one,
  };
};
