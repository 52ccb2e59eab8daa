/**
 * @module Contract diffing: which differences between two documents of a contract break a
 * remote caller, and which do not. Used by `scripts/contracts.ts` (`npm run check:contracts`).
 *
 * During a rolling deploy a caller and a server of different minor versions of a contract
 * talk to each other, in both directions of time. So the question for every change is:
 *
 * - for an INPUT (the server receives what callers send): does the new server still accept
 *   everything an old caller sends, and mean the same by it? Narrowing what is accepted
 *   (a new required field, an optional field made required, a removed enum value, a lower
 *   maximum, a higher minimum, a new or changed pattern, another type) is breaking.
 *   Widening it (a new optional field, a new enum value, a relaxed limit) is additive.
 * - for an OUTPUT or an EVENT PAYLOAD (callers and consumers read it): does an old reader
 *   still understand everything the new server produces? Widening what is produced (a field
 *   made optional or nullable, a new enum value old readers do not know, a relaxed limit,
 *   another type) is breaking. Narrowing it is additive, and so is a new field: zod strips
 *   unknown keys, so an old reader simply does not see it.
 * - removing a method, an event or a field is breaking everywhere. For an input field that
 *   is stricter than the wire needs: zod strips unknown keys, so an old caller that still
 *   sends the field is not rejected. But the server then silently ignores something the
 *   caller meant, which is a change of meaning, so it counts as breaking too.
 *
 * A different major version starts afresh: nothing is compared across majors.
 *
 * The schemas are JSON Schema (draft 2020-12) as `describeContract` produces them; the differ
 * understands type (including type lists), enum/const, properties/required,
 * additionalProperties/propertyNames, items/prefixItems, anyOf/oneOf (nullable, unions),
 * minimum/maximum (and exclusive), multipleOf, minLength/maxLength, minItems/maxItems,
 * pattern (also as allOf of patterns), format and local $refs. Any other keyword that
 * changes is reported as breaking, since nothing here can tell which way it went.
 */
import type { ContractDocument, JsonSchema } from '../../src/kernel/contract-schema.js';
import { compareSchemas } from './compare-schemas.js';
import { isBreaking, render, type Context, type Direction } from './findings.js';

export { jsonEqual } from './alternatives.js';
export type { Direction } from './findings.js';

/** What changed between two documents of the same contract, as messages naming the path. */
export interface ContractChanges {
  readonly breaking: readonly string[];
  readonly additive: readonly string[];
}

/**
 * Compares one schema of a contract (`direction` says whether the server receives it or
 * callers read it) and sorts the differences into breaking and additive messages.
 */
export const compareSchema = (head: string, previous: JsonSchema, current: JsonSchema, direction: Direction): ContractChanges => {
  const context: Context = { direction, previousRoot: previous, currentRoot: current, seen: new Set(), compare: compareSchemas };
  const breaking: string[] = [];
  const additive: string[] = [];
  for (const finding of compareSchemas(previous, current, '', context)) {
    (isBreaking(finding.effect, direction) ? breaking : additive).push(render(head, finding, direction));
  }
  return { breaking: [...new Set(breaking)], additive: [...new Set(additive)] };
};

/**
 * Every difference between two documents of one contract, as messages such as
 * `catalog/v1 listProducts input: field "cursor" removed`. Documents of different major
 * versions are not compared (a major version is a new contract): the result is empty.
 */
export const compareContracts = (previous: ContractDocument, current: ContractDocument): ContractChanges => {
  if (previous.name !== current.name) throw new Error(`Cannot compare contract "${previous.name}" with contract "${current.name}"`);
  if (previous.version !== current.version) return { breaking: [], additive: [] };
  const id = `${current.name}/v${current.version}`;
  const breaking: string[] = [];
  const additive: string[] = [];
  const add = (changes: ContractChanges): void => {
    breaking.push(...changes.breaking);
    additive.push(...changes.additive);
  };

  for (const [name, before] of Object.entries(previous.methods)) {
    const after = current.methods[name];
    if (after === undefined) {
      breaking.push(`${id}: method "${name}" removed`);
      continue;
    }
    add(compareSchema(`${id} ${name} input`, before.input, after.input, 'input'));
    add(compareSchema(`${id} ${name} output`, before.output, after.output, 'output'));
    // Error codes are not breaking either way: a caller must already handle codes it does not
    // know (the kernel's common errors, a newer server's), and a code no longer raised costs
    // an old caller nothing.
    for (const code of after.errors) if (!before.errors.includes(code)) additive.push(`${id} ${name}: may now raise ${code}`);
    for (const code of before.errors) if (!after.errors.includes(code)) additive.push(`${id} ${name}: no longer raises ${code}`);
    // An old caller's transport retries what its contract says is idempotent.
    if (before.idempotent && !after.idempotent) breaking.push(`${id} ${name}: no longer idempotent, but old callers may retry it`);
    if (!before.idempotent && after.idempotent) additive.push(`${id} ${name}: now idempotent`);
  }
  for (const name of Object.keys(current.methods)) {
    if (!(name in previous.methods)) additive.push(`${id}: method "${name}" added`);
  }

  for (const [name, before] of Object.entries(previous.events)) {
    const after = current.events[name];
    if (after === undefined) {
      breaking.push(`${id}: event "${name}" removed`);
      continue;
    }
    add(compareSchema(`${id} ${name} payload`, before.payload, after.payload, 'output'));
  }
  for (const name of Object.keys(current.events)) {
    if (!(name in previous.events)) additive.push(`${id}: event "${name}" added`);
  }
  return { breaking, additive };
};

/** The breaking changes from `previous` to `current` (see `compareContracts`). */
export const breakingChanges = (previous: ContractDocument, current: ContractDocument): readonly string[] =>
  compareContracts(previous, current).breaking;
