/**
 * @module Schemas as the contract differ reads them: JSON values, local `$ref`s, and a schema
 * as the alternatives a value may take (one kind of value each), so unions, nullables, type
 * lists and enums line up before they are compared.
 */
import type { JsonSchema } from '../../src/kernel/contract-schema.js';

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Structural equality of JSON values; object key order does not matter. */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]));
};

/** A value as it appears in a message. */
export const show = (value: unknown): string => JSON.stringify(value);

/** The path of `key` under `path`, as messages name fields (`items[].count`). */
export const child = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

const resolvePointer = (root: unknown, ref: string): unknown => {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter((part) => part !== '')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isRecord(node)) node = node[part];
    else return undefined;
  }
  return node;
};

/** Follows local `$ref`s (keeping sibling keywords); an unresolvable one is left as is. */
export const deref = (node: unknown, root: unknown): unknown => {
  let current = node;
  for (let hops = 0; hops < 32 && isRecord(current) && typeof current['$ref'] === 'string'; hops++) {
    const target = resolvePointer(root, current['$ref']);
    if (target === undefined) return current;
    const { $ref: _ref, ...siblings } = current;
    current = typeof target === 'boolean' ? (target ? siblings : false) : { ...(target as JsonSchema), ...siblings };
  }
  return current;
};

export type Kind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'any';

/** One alternative of a schema: values of a single kind (a union has several). */
export interface Alternative {
  readonly kind: Kind;
  readonly schema: JsonSchema;
}

/** Keywords that describe, never constrain: a change to them breaks nothing. */
export const annotations = new Set(['description', 'title', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly', '$schema', '$id', 'id', '$defs', 'definitions']);

const kindKeywords: Readonly<Record<Kind, readonly string[]>> = {
  string: ['minLength', 'maxLength', 'pattern', 'format', 'contentEncoding', 'contentMediaType'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  boolean: [],
  null: [],
  object: ['properties', 'required', 'additionalProperties', 'propertyNames', 'patternProperties', 'minProperties', 'maxProperties', 'dependentRequired'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
  any: [],
};
const kindSpecific = new Set(Object.values(kindKeywords).flat());

/** Keywords the comparison of two alternatives examines itself, per kind; others fall back to "changed". */
export const handled: Readonly<Record<Kind, readonly string[]>> = {
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  boolean: [],
  null: [],
  object: ['properties', 'required', 'additionalProperties', 'propertyNames'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems'],
  any: [],
};
export const handledEverywhere = new Set(['type', 'enum', 'const']);

const typeKind = (type: string): Kind | undefined => {
  switch (type) {
    case 'string':
    case 'boolean':
    case 'null':
    case 'object':
    case 'array':
      return type;
    case 'number':
    case 'integer':
      return 'number';
    default:
      return undefined;
  }
};

const valueKind = (value: unknown): Kind => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
};

/** The literal values a schema allows (`enum`, `const`); undefined when it names none. */
export const allowedValues = (schema: JsonSchema): readonly unknown[] | undefined => {
  if (Array.isArray(schema['enum'])) return schema['enum'];
  if ('const' in schema) return [schema['const']];
  return undefined;
};

const isNever = (schema: JsonSchema): boolean =>
  isRecord(schema['not']) && Object.keys(schema['not']).length === 0 && Object.keys(schema).every((key) => key === 'not' || annotations.has(key));

/** Only type/enum/const (and annotations): a set of literal values. */
const isValuesOnly = (schema: JsonSchema): boolean =>
  allowedValues(schema) !== undefined && Object.keys(schema).every((key) => handledEverywhere.has(key) || annotations.has(key));

/** A schema as the alternatives a value may take, one kind each. */
export const alternatives = (input: unknown, root: unknown): Alternative[] => {
  const node = deref(input, root);
  if (node === true) return [{ kind: 'any', schema: {} }];
  if (!isRecord(node)) return [];
  if (isNever(node)) return [];
  const options = [
    ...(Array.isArray(node['anyOf']) ? node['anyOf'] : []),
    ...(Array.isArray(node['oneOf']) ? node['oneOf'] : []),
  ];
  if (options.length > 0) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...outer } = node;
    return mergeValueAlternatives(
      options.flatMap((option) => {
        const resolved = deref(option, root);
        if (resolved === false) return [];
        return alternatives(isRecord(resolved) ? { ...outer, ...resolved } : outer, root);
      }),
    );
  }
  const values = allowedValues(node);
  const declared = typeof node['type'] === 'string' ? [node['type']] : Array.isArray(node['type']) ? node['type'].filter((t): t is string => typeof t === 'string') : undefined;
  let kinds: { kind: Kind; type?: string }[];
  if (declared !== undefined) {
    kinds = declared.flatMap((type) => {
      const kind = typeKind(type);
      return kind === undefined ? [] : [{ kind, type }];
    });
  } else if (values !== undefined) {
    kinds = [...new Set(values.map(valueKind))].map((kind) => ({ kind }));
  } else {
    return [{ kind: 'any', schema: node }];
  }
  if (kinds.length === 1 && kinds[0] !== undefined) return [{ kind: kinds[0].kind, schema: node }];
  // A type list (`["string", "null"]`): one alternative per type, each keeping its own keywords.
  return mergeValueAlternatives(
    kinds.map(({ kind, type }) => {
      const schema: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (key === 'type' || key === 'enum' || key === 'const') continue;
        if (kindSpecific.has(key) && !kindKeywords[kind].includes(key)) continue;
        schema[key] = value;
      }
      if (type !== undefined) schema['type'] = type;
      if (values !== undefined) schema['enum'] = values.filter((value) => valueKind(value) === kind);
      return { kind, schema };
    }),
  );
};

/** `anyOf: [{const: "a"}, {const: "b"}]` is one alternative with `enum: ["a", "b"]`. */
const mergeValueAlternatives = (list: Alternative[]): Alternative[] => {
  const merged: Alternative[] = [];
  for (const alternative of list) {
    const values = allowedValues(alternative.schema);
    const index = merged.findIndex((other) => other.kind === alternative.kind && isValuesOnly(other.schema) && other.schema['type'] === alternative.schema['type']);
    const into = index >= 0 ? merged[index] : undefined;
    if (values !== undefined && into !== undefined && isValuesOnly(alternative.schema)) {
      const existing = allowedValues(into.schema) ?? [];
      const union = [...existing, ...values.filter((value) => !existing.some((known) => jsonEqual(known, value)))];
      const { const: _const, ...rest } = into.schema;
      merged[index] = { kind: into.kind, schema: { ...rest, enum: union } };
    } else {
      merged.push(alternative);
    }
  }
  return merged;
};

/** `true` or `{}`: any value at all, so nothing on the other side can be missing from it. */
export const isUnconstrainedAny = (alternative: Alternative): boolean =>
  alternative.kind === 'any' && Object.keys(alternative.schema).every((key) => annotations.has(key));

export const kindLabel = (alternative: Alternative): string => {
  if (alternative.kind === 'any') return 'any value';
  if (alternative.kind === 'number') return alternative.schema['type'] === 'integer' ? 'integer' : 'number';
  return alternative.kind;
};

/** A union member as a reader knows it: by its discriminator (a field with one value), else by kind. */
export const variantLabel = (alternative: Alternative): string => {
  const properties = alternative.schema['properties'];
  if (alternative.kind === 'object' && isRecord(properties)) {
    for (const [field, schema] of Object.entries(properties)) {
      const values = isRecord(schema) ? allowedValues(schema) : undefined;
      if (values?.length === 1) return `with ${field} ${show(values[0])}`;
    }
  }
  return `of type ${kindLabel(alternative)}`;
};

export const kindsLabel = (list: readonly Alternative[]): string => [...new Set(list.map(kindLabel))].join(' | ');
