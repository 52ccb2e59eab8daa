/**
 * @module The keywords of numbers, strings and arrays compared between two alternatives of
 * the same kind: limits (and which of two is tighter), steps, patterns, formats and items.
 */
import type { JsonSchema } from '../../src/kernel/contract-schema.js';
import { annotations, isRecord, jsonEqual, show } from './alternatives.js';
import type { Context, Finding } from './findings.js';

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

type Side = 'lower' | 'upper';

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const showBound = (bound: Bound): string => (bound.exclusive ? `${bound.value} (exclusive)` : String(bound.value));

const tighterLower = (a: Bound, b: Bound): boolean => a.value > b.value || (a.value === b.value && a.exclusive && !b.exclusive);
const tighterUpper = (a: Bound, b: Bound): boolean => a.value < b.value || (a.value === b.value && a.exclusive && !b.exclusive);

/** The tighter of an inclusive and an exclusive bound; integers make every bound inclusive. */
const bound = (inclusive: number | undefined, exclusive: number | undefined, integer: boolean, side: Side): Bound | undefined => {
  const candidates: Bound[] = [];
  if (inclusive !== undefined) candidates.push({ value: integer ? (side === 'lower' ? Math.ceil(inclusive) : Math.floor(inclusive)) : inclusive, exclusive: false });
  if (exclusive !== undefined) {
    candidates.push(integer ? { value: side === 'lower' ? Math.floor(exclusive) + 1 : Math.ceil(exclusive) - 1, exclusive: false } : { value: exclusive, exclusive: true });
  }
  const tighter = side === 'lower' ? tighterLower : tighterUpper;
  return candidates.reduce<Bound | undefined>((best, next) => (best === undefined || tighter(next, best) ? next : best), undefined);
};

/** An integer count keyword (`minLength`, `maxItems`) as a bound. */
const countBound = (value: unknown, side: Side): Bound | undefined => bound(numberOf(value), undefined, true, side);

/** The finding, if any, for limit `name` moving from `before` to `after`. */
const compareBound = (name: string, side: Side, before: Bound | undefined, after: Bound | undefined, path: string): Finding[] => {
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

export const compareNumbers = (p: JsonSchema, c: JsonSchema, path: string): Finding[] => {
  const findings: Finding[] = [];
  const wasInteger = p['type'] === 'integer';
  const isInteger = c['type'] === 'integer';
  if (!wasInteger && isInteger) findings.push({ path, effect: 'narrow', plain: false, text: 'type changed from number to integer' });
  if (wasInteger && !isInteger) findings.push({ path, effect: 'widen', plain: false, text: 'type changed from integer to number' });
  findings.push(
    ...compareBound('minimum', 'lower', bound(numberOf(p['minimum']), numberOf(p['exclusiveMinimum']), wasInteger, 'lower'), bound(numberOf(c['minimum']), numberOf(c['exclusiveMinimum']), isInteger, 'lower'), path),
    ...compareBound('maximum', 'upper', bound(numberOf(p['maximum']), numberOf(p['exclusiveMaximum']), wasInteger, 'upper'), bound(numberOf(c['maximum']), numberOf(c['exclusiveMaximum']), isInteger, 'upper'), path),
  );
  const previousStep = numberOf(p['multipleOf']);
  const currentStep = numberOf(c['multipleOf']);
  const narrows = currentStep !== undefined && (previousStep === undefined || !isMultipleOf(previousStep, currentStep));
  const widens = previousStep !== undefined && (currentStep === undefined || !isMultipleOf(currentStep, previousStep));
  if (previousStep === undefined && narrows) findings.push({ path, effect: 'narrow', plain: false, text: `multipleOf ${currentStep} added` });
  else if (currentStep === undefined && widens) findings.push({ path, effect: 'widen', plain: false, text: `multipleOf ${previousStep} removed` });
  else if (narrows || widens) {
    findings.push({ path, effect: narrows && widens ? 'changed' : narrows ? 'narrow' : 'widen', plain: false, text: `multipleOf changed from ${previousStep} to ${currentStep}` });
  }
  return findings;
};

/** Whether `allOf` holds patterns only: how zod writes a string with several regexes. */
export const allOfIsPatterns = (schema: JsonSchema): boolean =>
  Array.isArray(schema['allOf']) &&
  schema['allOf'].every((member) => isRecord(member) && typeof member['pattern'] === 'string' && Object.keys(member).every((key) => key === 'pattern' || annotations.has(key)));

/** `pattern`, and the patterns of an `allOf` made of patterns only. */
const patternsOf = (schema: JsonSchema): string[] => {
  const patterns = typeof schema['pattern'] === 'string' ? [schema['pattern']] : [];
  if (allOfIsPatterns(schema)) {
    for (const member of schema['allOf'] as JsonSchema[]) patterns.push(member['pattern'] as string);
  }
  return patterns;
};

const showPattern = (pattern: string): string => `/${pattern}/`;

export const compareStrings = (p: JsonSchema, c: JsonSchema, path: string): Finding[] => {
  const findings: Finding[] = [
    ...compareBound('minLength', 'lower', countBound(p['minLength'], 'lower'), countBound(c['minLength'], 'lower'), path),
    ...compareBound('maxLength', 'upper', countBound(p['maxLength'], 'upper'), countBound(c['maxLength'], 'upper'), path),
  ];
  const push = (effect: Finding['effect'], text: string): void => void findings.push({ path, effect, text, plain: false });
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
  return findings;
};

export const compareArrays = (p: JsonSchema, c: JsonSchema, path: string, context: Context): Finding[] => {
  const findings: Finding[] = [
    ...compareBound('minItems', 'lower', countBound(p['minItems'], 'lower'), countBound(c['minItems'], 'lower'), path),
    ...compareBound('maxItems', 'upper', countBound(p['maxItems'], 'upper'), countBound(c['maxItems'], 'upper'), path),
  ];
  const previousItems = p['items'] ?? true;
  const currentItems = c['items'] ?? true;
  const previousTuple = Array.isArray(p['prefixItems']) ? p['prefixItems'] : [];
  const currentTuple = Array.isArray(c['prefixItems']) ? c['prefixItems'] : [];
  for (let index = 0; index < Math.max(previousTuple.length, currentTuple.length); index++) {
    findings.push(...context.compare(previousTuple[index] ?? previousItems, currentTuple[index] ?? currentItems, `${path}[${index}]`, context));
  }
  findings.push(...context.compare(previousItems, currentItems, `${path}[]`, context));
  return findings;
};
