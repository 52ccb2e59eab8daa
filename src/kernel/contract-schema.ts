/**
 * @module Contract documents: a contract as plain JSON, what a remote caller can rely on.
 *
 * `describeContract` turns a contract's zod schemas into JSON Schema (draft 2020-12, through
 * zod 4's `z.toJSONSchema`). The document is what `npm run contracts:snapshot` commits under
 * `contracts/` and what `npm run check:contracts` compares the code with (see
 * `scripts/contract-diff/` for what counts as a breaking change).
 *
 * Inputs are described as zod *accepts* them (`io: 'input'`): that is what a caller may send,
 * and objects stay open there because zod strips unknown keys instead of rejecting them.
 * Outputs and event payloads are described as zod *produces* them (`io: 'output'`): that is
 * what a reader receives. Contracts must not transform data (see README), so the two views
 * differ only where they should (optionality and unknown keys), not in the value types.
 */
import { z } from 'zod';
import type { AnyContract } from './contract.js';

/** A JSON Schema as plain data (draft 2020-12 keywords). */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface MethodDocument {
  readonly input: JsonSchema;
  readonly output: JsonSchema;
  /** Codes of the domain errors the method declares, in declaration order. */
  readonly errors: readonly string[];
  readonly idempotent: boolean;
}

export interface EventDocument {
  readonly payload: JsonSchema;
}

/** A contract as plain JSON: what is snapshotted and compared. */
export interface ContractDocument {
  readonly name: string;
  readonly version: number;
  readonly methods: { readonly [method: string]: MethodDocument };
  readonly events: { readonly [event: string]: EventDocument };
}

const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output', where: string): JsonSchema => {
  let json: Record<string, unknown>;
  try {
    // `reused: 'inline'` keeps every schema self-contained (no $defs for shared sub-schemas,
    // so a snapshot diff shows the field where it is used); only recursion needs a $ref.
    json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'throw', cycles: 'ref', reused: 'inline' });
  } catch (error) {
    throw new Error(`${where} cannot be described as JSON Schema: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const { $schema: _dialect, ...rest } = json;
  return rest;
};

/**
 * The JSON document of a contract: each method's input (as accepted) and output (as
 * produced) JSON Schema, its error codes and idempotency, and each event's payload schema.
 * Throws, naming the member, when a schema has no JSON Schema equivalent (such a value
 * could not cross a process boundary either).
 */
export const describeContract = (contract: AnyContract): ContractDocument => {
  const methods: Record<string, MethodDocument> = {};
  for (const [name, spec] of Object.entries(contract.methods)) {
    methods[name] = {
      input: toJsonSchema(spec.input, 'input', `${contract.id} ${name} input`),
      output: toJsonSchema(spec.output, 'output', `${contract.id} ${name} output`),
      errors: spec.errors.map((error) => error.code),
      idempotent: spec.idempotent,
    };
  }
  const events: Record<string, EventDocument> = {};
  for (const [name, spec] of Object.entries(contract.events)) {
    events[name] = { payload: toJsonSchema(spec.payload, 'output', `${contract.id} ${name} payload`) };
  }
  return { name: contract.name, version: contract.version, methods, events };
};
