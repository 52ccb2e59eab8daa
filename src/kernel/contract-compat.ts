/**
 * @module Contract compatibility: which differences between two versions of a contract
 * document break a remote caller, and which do not.
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
 * The schemas are JSON Schema (draft 2020-12) as `describeContract` produces them; this
 * module understands type (including type lists), enum/const, properties/required,
 * additionalProperties/propertyNames, items/prefixItems, anyOf/oneOf (nullable, unions),
 * minimum/maximum (and exclusive), multipleOf, minLength/maxLength, minItems/maxItems,
 * pattern (also as allOf of patterns), format and local $refs. Any other keyword that
 * changes is reported as breaking, since nothing here can tell which way it went.
 */
import type { ContractDocument, JsonSchema } from './contract-schema.js';

/** What changed between two documents of the same contract, as messages naming the path. */
export interface ContractChanges {
  readonly breaking: readonly string[];
  readonly additive: readonly string[];
}

type Direction = 'input' | 'output';

/**
 * How a difference moves the set of values a schema allows, from previous to current.
 * `changed` means it moved both ways (or no one can tell), so it is breaking either way.
 */
type Effect = 'narrow' | 'widen' | 'changed' | 'removed' | 'added';

interface Finding {
  readonly path: string;
  readonly effect: Effect;
  readonly text: string;
  /** A structural change ("removed", "made optional"): no "narrowed:"/"widened:" prefix. */
  readonly plain: boolean;
}

const isBreaking = (effect: Effect, direction: Direction): boolean => {
  switch (effect) {
    case 'removed':
    case 'changed':
      return true;
    case 'added':
      return false;
    case 'narrow':
      return direction === 'input';
    case 'widen':
      return direction === 'output';
  }
};

/** Keywords that describe, never constrain: a change to them breaks nothing. */
const annotations = new Set(['description', 'title', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly', '$schema', '$id', 'id', '$defs', 'definitions']);

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'any';

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

/** Keywords `comparePair` examines itself for each kind; others fall back to "changed". */
const handled: Readonly<Record<Kind, readonly string[]>> = {
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  boolean: [],
  null: [],
  object: ['properties', 'required', 'additionalProperties', 'propertyNames'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems'],
  any: [],
};
const handledEverywhere = new Set(['type', 'enum', 'const']);

/** One alternative of a schema: values of a single kind (a union has several). */
interface Alternative {
  readonly kind: Kind;
  readonly schema: JsonSchema;
}

interface Context {
  readonly direction: Direction;
  readonly previousRoot: unknown;
  readonly currentRoot: unknown;
  /** Pairs of $refs already being compared: recursive schemas compare each pair once. */
  readonly seen: Set<string>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
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

const show = (value: unknown): string => JSON.stringify(value);
const child = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

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
const deref = (node: unknown, root: unknown): unknown => {
  let current = node;
  for (let hops = 0; hops < 32 && isRecord(current) && typeof current['$ref'] === 'string'; hops++) {
    const target = resolvePointer(root, current['$ref']);
    if (target === undefined) return current;
    const { $ref: _ref, ...siblings } = current;
    current = typeof target === 'boolean' ? (target ? siblings : false) : { ...(target as JsonSchema), ...siblings };
  }
  return current;
};

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

const allowedValues = (schema: JsonSchema): readonly unknown[] | undefined => {
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
const alternatives = (input: unknown, root: unknown): Alternative[] => {
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

const isUnconstrainedAny = (alternative: Alternative): boolean =>
  alternative.kind === 'any' && Object.keys(alternative.schema).every((key) => annotations.has(key));

const kindLabel = (alternative: Alternative): string => {
  if (alternative.kind === 'any') return 'any value';
  if (alternative.kind === 'number') return alternative.schema['type'] === 'integer' ? 'integer' : 'number';
  return alternative.kind;
};
/** A union member as a reader knows it: by its discriminator (a field with one value), else by kind. */
const variantLabel = (alternative: Alternative): string => {
  const properties = alternative.schema['properties'];
  if (alternative.kind === 'object' && isRecord(properties)) {
    for (const [field, schema] of Object.entries(properties)) {
      const values = isRecord(schema) ? allowedValues(schema) : undefined;
      if (values?.length === 1) return `with ${field} ${show(values[0])}`;
    }
  }
  return `of type ${kindLabel(alternative)}`;
};
const kindsLabel = (list: readonly Alternative[]): string => [...new Set(list.map(kindLabel))].join(' | ');

/** Compares two schemas at `path`: every difference, whichever way it goes. */
const compareSchemas = (previous: unknown, current: unknown, path: string, context: Context): Finding[] => {
  const previousRef = isRecord(previous) && typeof previous['$ref'] === 'string' ? previous['$ref'] : undefined;
  const currentRef = isRecord(current) && typeof current['$ref'] === 'string' ? current['$ref'] : undefined;
  if (previousRef !== undefined && currentRef !== undefined) {
    // Only a pair of refs can recurse for ever; one inline side is finite.
    const key = `${previousRef}\u0000${currentRef}`;
    if (context.seen.has(key)) return [];
    context.seen.add(key);
  }
  const before = alternatives(previous, context.previousRoot);
  const after = alternatives(current, context.currentRoot);
  const [onlyBefore] = before;
  const [onlyAfter] = after;
  if (before.length === 1 && after.length === 1 && onlyBefore !== undefined && onlyAfter !== undefined && onlyBefore.kind === onlyAfter.kind) {
    return comparePair(onlyBefore, onlyAfter, path, context);
  }
  const anyInvolved = [...before, ...after].some((alternative) => alternative.kind === 'any');
  if (before.length > 0 && after.length > 0 && !anyInvolved && !before.some((b) => after.some((a) => a.kind === b.kind))) {
    return [{ path, effect: 'changed', plain: true, text: `type changed from ${kindsLabel(before)} to ${kindsLabel(after)}` }];
  }

  const cache = new Map<string, Finding[]>();
  const pair = (b: number, a: number): Finding[] => {
    const key = `${b}:${a}`;
    let found = cache.get(key);
    if (found === undefined) {
      found = comparePair(before[b] as Alternative, after[a] as Alternative, path, context);
      cache.set(key, found);
    }
    return found;
  };
  const best = (candidates: number[], compare: (index: number) => Finding[]): Finding[] => {
    let chosen: Finding[] | undefined;
    let fewest = Infinity;
    for (const index of candidates) {
      const found = compare(index);
      const breaking = found.filter((finding) => isBreaking(finding.effect, context.direction)).length;
      if (breaking < fewest || (breaking === fewest && chosen !== undefined && found.length < chosen.length)) {
        chosen = found;
        fewest = breaking;
      }
    }
    return chosen ?? [];
  };
  const narrowing = (f: Finding): boolean => f.effect === 'narrow' || f.effect === 'changed' || f.effect === 'removed';
  const widening = (f: Finding): boolean => f.effect === 'widen' || f.effect === 'changed' || f.effect === 'added';
  const findings: Finding[] = [];
  // Is every previous alternative still there? (What the current schema no longer allows.)
  if (!after.some(isUnconstrainedAny)) {
    before.forEach((alternative, b) => {
      const candidates = after.flatMap((other, a) => (other.kind === alternative.kind ? [a] : []));
      if (candidates.length === 0) {
        const text = alternative.kind === 'null' ? 'no longer nullable' : alternative.kind === 'any' ? `restricted to ${kindsLabel(after)}` : `may no longer be ${kindLabel(alternative)}`;
        findings.push({ path, effect: 'narrow', plain: true, text });
        return;
      }
      const found = best(candidates, (a) => pair(b, a).filter(narrowing));
      // A variant of a union that is gone: its nearest match is another variant, unchanged.
      const taken = found.length > 0 && candidates.every((a) => before.some((other, o) => o !== b && other.kind === alternative.kind && pair(o, a).filter(narrowing).length === 0));
      if (taken) findings.push({ path, effect: 'narrow', plain: false, text: `variant ${variantLabel(alternative)} removed` });
      else findings.push(...found);
    });
  }
  // Was every current alternative there before? (What the current schema newly allows.)
  if (!before.some(isUnconstrainedAny)) {
    after.forEach((alternative, a) => {
      const candidates = before.flatMap((other, b) => (other.kind === alternative.kind ? [b] : []));
      if (candidates.length === 0) {
        const text = alternative.kind === 'null' ? 'made nullable' : alternative.kind === 'any' ? `no longer restricted to ${kindsLabel(before)}` : `may now be ${kindLabel(alternative)}`;
        findings.push({ path, effect: 'widen', plain: true, text });
        return;
      }
      const found = best(candidates, (b) => pair(b, a).filter(widening));
      const taken = found.length > 0 && candidates.every((b) => after.some((other, o) => o !== a && other.kind === alternative.kind && pair(b, o).filter(widening).length === 0));
      if (taken) findings.push({ path, effect: 'widen', plain: false, text: `variant ${variantLabel(alternative)} added` });
      else findings.push(...found);
    });
  }
  return findings;
};

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const showBound = (bound: Bound): string => (bound.exclusive ? `${bound.value} (exclusive)` : String(bound.value));

/** The tighter of an inclusive and an exclusive bound; integers make every bound inclusive. */
const bound = (inclusive: number | undefined, exclusive: number | undefined, integer: boolean, side: 'lower' | 'upper'): Bound | undefined => {
  const candidates: Bound[] = [];
  if (inclusive !== undefined) candidates.push({ value: integer ? (side === 'lower' ? Math.ceil(inclusive) : Math.floor(inclusive)) : inclusive, exclusive: false });
  if (exclusive !== undefined) {
    candidates.push(integer ? { value: side === 'lower' ? Math.floor(exclusive) + 1 : Math.ceil(exclusive) - 1, exclusive: false } : { value: exclusive, exclusive: true });
  }
  const tighter = side === 'lower' ? tighterLower : tighterUpper;
  return candidates.reduce<Bound | undefined>((best, next) => (best === undefined || tighter(next, best) ? next : best), undefined);
};

const tighterLower = (a: Bound, b: Bound): boolean => a.value > b.value || (a.value === b.value && a.exclusive && !b.exclusive);
const tighterUpper = (a: Bound, b: Bound): boolean => a.value < b.value || (a.value === b.value && a.exclusive && !b.exclusive);

const compareBound = (name: string, side: 'lower' | 'upper', before: Bound | undefined, after: Bound | undefined, path: string): Finding[] => {
  const tighter = side === 'lower' ? tighterLower : tighterUpper;
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ path, effect: 'narrow', plain: false, text: `${name} ${showBound(after as Bound)} added` }];
  if (after === undefined) return [{ path, effect: 'widen', plain: false, text: `${name} ${showBound(before)} removed` }];
  const text =
    after.value === before.value
      ? `${name} ${after.exclusive ? 'made exclusive' : 'made inclusive'} at ${after.value}`
      : `${name} ${after.value > before.value ? 'raised' : 'lowered'} from ${showBound(before)} to ${showBound(after)}`;
  if (tighter(after, before)) return [{ path, effect: 'narrow', plain: false, text }];
  if (tighter(before, after)) return [{ path, effect: 'widen', plain: false, text }];
  return [];
};

const isMultipleOf = (value: number, divisor: number): boolean => {
  const ratio = value / divisor;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
};

/** `pattern`, and the patterns of an `allOf` made of patterns only (zod's several regexes). */
const patternsOf = (schema: JsonSchema): string[] => {
  const patterns = typeof schema['pattern'] === 'string' ? [schema['pattern']] : [];
  if (allOfIsPatterns(schema)) {
    for (const member of schema['allOf'] as JsonSchema[]) patterns.push(member['pattern'] as string);
  }
  return patterns;
};
const allOfIsPatterns = (schema: JsonSchema): boolean =>
  Array.isArray(schema['allOf']) &&
  schema['allOf'].every((member) => isRecord(member) && typeof member['pattern'] === 'string' && Object.keys(member).every((key) => key === 'pattern' || annotations.has(key)));

const showPattern = (pattern: string): string => `/${pattern}/`;

/** Compares two alternatives of the same kind. */
const comparePair = (before: Alternative, after: Alternative, path: string, context: Context): Finding[] => {
  const p = before.schema;
  const c = after.schema;
  const findings: Finding[] = [];
  const push = (effect: Effect, text: string, plain = false, at = path): void => {
    findings.push({ path: at, effect, text, plain });
  };

  // Literal values: enum, const.
  const previousValues = allowedValues(p);
  const currentValues = allowedValues(c);
  const valueLabel = Array.isArray(p['enum']) || Array.isArray(c['enum']) ? 'enum value' : 'value';
  if (previousValues === undefined && currentValues !== undefined) push('narrow', `restricted to ${currentValues.map(show).join(', ')}`);
  if (previousValues !== undefined && currentValues === undefined) push('widen', `no longer restricted to ${previousValues.map(show).join(', ')}`);
  if (previousValues !== undefined && currentValues !== undefined) {
    for (const value of previousValues) if (!currentValues.some((other) => jsonEqual(other, value))) push('narrow', `${valueLabel} ${show(value)} removed`);
    for (const value of currentValues) if (!previousValues.some((other) => jsonEqual(other, value))) push('widen', `${valueLabel} ${show(value)} added`);
  }

  switch (before.kind) {
    case 'number': {
      const wasInteger = p['type'] === 'integer';
      const isInteger = c['type'] === 'integer';
      if (!wasInteger && isInteger) push('narrow', 'type changed from number to integer');
      if (wasInteger && !isInteger) push('widen', 'type changed from integer to number');
      findings.push(
        ...compareBound('minimum', 'lower', bound(numberOf(p['minimum']), numberOf(p['exclusiveMinimum']), wasInteger, 'lower'), bound(numberOf(c['minimum']), numberOf(c['exclusiveMinimum']), isInteger, 'lower'), path),
        ...compareBound('maximum', 'upper', bound(numberOf(p['maximum']), numberOf(p['exclusiveMaximum']), wasInteger, 'upper'), bound(numberOf(c['maximum']), numberOf(c['exclusiveMaximum']), isInteger, 'upper'), path),
      );
      const previousStep = numberOf(p['multipleOf']);
      const currentStep = numberOf(c['multipleOf']);
      const narrows = currentStep !== undefined && (previousStep === undefined || !isMultipleOf(previousStep, currentStep));
      const widens = previousStep !== undefined && (currentStep === undefined || !isMultipleOf(currentStep, previousStep));
      if (previousStep === undefined && narrows) push('narrow', `multipleOf ${currentStep} added`);
      else if (currentStep === undefined && widens) push('widen', `multipleOf ${previousStep} removed`);
      else if (narrows || widens) push(narrows && widens ? 'changed' : narrows ? 'narrow' : 'widen', `multipleOf changed from ${previousStep} to ${currentStep}`);
      break;
    }
    case 'string': {
      findings.push(
        ...compareBound('minLength', 'lower', bound(numberOf(p['minLength']), undefined, true, 'lower'), bound(numberOf(c['minLength']), undefined, true, 'lower'), path),
        ...compareBound('maxLength', 'upper', bound(numberOf(p['maxLength']), undefined, true, 'upper'), bound(numberOf(c['maxLength']), undefined, true, 'upper'), path),
      );
      const previousPatterns = patternsOf(p);
      const currentPatterns = patternsOf(c);
      const added = currentPatterns.filter((pattern) => !previousPatterns.includes(pattern));
      const removed = previousPatterns.filter((pattern) => !currentPatterns.includes(pattern));
      // Whether one regex accepts less than another is undecidable here: a changed pattern
      // may narrow an input and widen an output, so it breaks both.
      if (added.length > 0 && removed.length > 0) push('changed', `pattern changed from ${removed.map(showPattern).join(', ')} to ${added.map(showPattern).join(', ')}`);
      else if (added.length > 0) push('narrow', `pattern ${added.map(showPattern).join(', ')} added`);
      else if (removed.length > 0) push('widen', `pattern ${removed.map(showPattern).join(', ')} removed`);
      const previousFormat = p['format'];
      const currentFormat = c['format'];
      if (previousFormat === undefined && currentFormat !== undefined) push('narrow', `format ${show(currentFormat)} added`);
      else if (previousFormat !== undefined && currentFormat === undefined) push('widen', `format ${show(previousFormat)} removed`);
      else if (!jsonEqual(previousFormat, currentFormat)) push('changed', `format changed from ${show(previousFormat)} to ${show(currentFormat)}`);
      break;
    }
    case 'array': {
      findings.push(
        ...compareBound('minItems', 'lower', bound(numberOf(p['minItems']), undefined, true, 'lower'), bound(numberOf(c['minItems']), undefined, true, 'lower'), path),
        ...compareBound('maxItems', 'upper', bound(numberOf(p['maxItems']), undefined, true, 'upper'), bound(numberOf(c['maxItems']), undefined, true, 'upper'), path),
      );
      const previousItems = p['items'] ?? true;
      const currentItems = c['items'] ?? true;
      const previousTuple = Array.isArray(p['prefixItems']) ? p['prefixItems'] : [];
      const currentTuple = Array.isArray(c['prefixItems']) ? c['prefixItems'] : [];
      for (let index = 0; index < Math.max(previousTuple.length, currentTuple.length); index++) {
        findings.push(...compareSchemas(previousTuple[index] ?? previousItems, currentTuple[index] ?? currentItems, `${path}[${index}]`, context));
      }
      findings.push(...compareSchemas(previousItems, currentItems, `${path}[]`, context));
      break;
    }
    case 'object':
      findings.push(...compareObjects(p, c, path, context));
      break;
    default:
      break;
  }

  const known = new Set([...handledEverywhere, ...handled[before.kind]]);
  if (before.kind === 'string' && allOfIsPatterns(p) && allOfIsPatterns(c)) known.add('allOf');
  for (const key of new Set([...Object.keys(p), ...Object.keys(c)])) {
    if (known.has(key) || annotations.has(key)) continue;
    if (!jsonEqual(p[key], c[key])) push('changed', `schema keyword "${key}" changed from ${show(p[key])} to ${show(c[key])}`);
  }
  return findings;
};

const compareObjects = (p: JsonSchema, c: JsonSchema, path: string, context: Context): Finding[] => {
  const { direction } = context;
  const findings: Finding[] = [];
  const previousProperties = isRecord(p['properties']) ? p['properties'] : {};
  const currentProperties = isRecord(c['properties']) ? c['properties'] : {};
  const previousRequired = new Set(Array.isArray(p['required']) ? p['required'].map(String) : []);
  const currentRequired = new Set(Array.isArray(c['required']) ? c['required'].map(String) : []);
  const previousFields = new Set([...Object.keys(previousProperties), ...previousRequired]);
  const currentFields = new Set([...Object.keys(currentProperties), ...currentRequired]);
  const previousExtra = p['additionalProperties'] ?? true;
  const currentExtra = c['additionalProperties'] ?? true;
  const fieldSchema = (properties: Record<string, unknown>, extra: unknown, field: string): unknown => properties[field] ?? (extra === false ? true : extra);

  for (const field of previousFields) {
    const at = child(path, field);
    if (!currentFields.has(field)) {
      // Breaking for outputs (readers expect it) and, deliberately, for inputs as well: zod
      // strips unknown keys, so an old caller still sending it is not rejected, but the
      // server now ignores what the caller meant.
      findings.push({ path: at, effect: 'removed', plain: true, text: 'removed' });
      continue;
    }
    if (!previousRequired.has(field) && currentRequired.has(field)) findings.push({ path: at, effect: 'narrow', plain: true, text: 'made required' });
    if (previousRequired.has(field) && !currentRequired.has(field)) findings.push({ path: at, effect: 'widen', plain: true, text: 'made optional' });
    findings.push(...compareSchemas(fieldSchema(previousProperties, previousExtra, field), fieldSchema(currentProperties, currentExtra, field), at, context));
  }
  for (const field of currentFields) {
    if (previousFields.has(field)) continue;
    const at = child(path, field);
    const required = currentRequired.has(field);
    if (direction === 'output') {
      // Old readers strip keys they do not know: a new output field, even a required one, is additive.
      findings.push({ path: at, effect: 'added', plain: true, text: required ? 'added' : 'added (optional)' });
    } else {
      findings.push({ path: at, effect: required ? 'narrow' : 'widen', plain: true, text: required ? 'added as required' : 'added (optional)' });
    }
  }

  if (direction === 'input') {
    if (previousExtra !== false && currentExtra === false) findings.push({ path, effect: 'narrow', plain: true, text: 'no longer accepts unknown fields' });
    else if (previousExtra === false && currentExtra !== false) findings.push({ path, effect: 'widen', plain: true, text: 'now accepts unknown fields' });
    else if (previousExtra !== false && currentExtra !== false) findings.push(...compareSchemas(previousExtra, currentExtra, child(path, '*'), context));
  } else if (previousExtra !== false) {
    // A closed output object gaining extra keys breaks no one (they are stripped); an open
    // one (a record, a catchall) is compared value by value.
    if (currentExtra === false) findings.push({ path, effect: 'narrow', plain: true, text: 'no longer carries unknown fields' });
    else findings.push(...compareSchemas(previousExtra, currentExtra, child(path, '*'), context));
  }
  if (p['propertyNames'] !== undefined || c['propertyNames'] !== undefined) {
    findings.push(...compareSchemas(p['propertyNames'] ?? true, c['propertyNames'] ?? true, child(path, '<key>'), context));
  }
  return findings;
};

const render = (head: string, finding: Finding, direction: Direction): string => {
  const where = finding.path === '' ? '' : `field "${finding.path}" `;
  const effect = finding.effect === 'changed' ? (direction === 'input' ? 'narrow' : 'widen') : finding.effect;
  const prefix = finding.plain ? '' : effect === 'narrow' ? 'narrowed: ' : effect === 'widen' ? 'widened: ' : '';
  return `${head}: ${where}${prefix}${finding.text}`;
};

/**
 * Compares one schema of a contract (`direction` says whether the server receives it or
 * callers read it) and sorts the differences into breaking and additive messages.
 */
export const compareSchema = (head: string, previous: JsonSchema, current: JsonSchema, direction: Direction): ContractChanges => {
  const context: Context = { direction, previousRoot: previous, currentRoot: current, seen: new Set() };
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
