/**
 * @module Comparing two schemas node by node: each side as its alternatives (union members,
 * nullable, type lists), each alternative matched with its nearest counterpart on the other
 * side, so a union that gained or lost a member says so instead of "everything changed".
 * Two alternatives of one kind are compared by their literal values, the keywords of their
 * kind, and any other keyword, which counts as breaking when it changes because nothing here
 * can tell which way it went.
 */
import {
  allowedValues,
  alternatives,
  annotations,
  handled,
  handledEverywhere,
  isRecord,
  isUnconstrainedAny,
  jsonEqual,
  kindLabel,
  kindsLabel,
  show,
  variantLabel,
  type Alternative,
} from './alternatives.js';
import { allOfIsPatterns, compareArrays, compareNumbers, compareStrings } from './compare-keywords.js';
import { compareObjects } from './compare-objects.js';
import { isBreaking, type Context, type Finding } from './findings.js';

const narrowing = (finding: Finding): boolean => finding.effect === 'narrow' || finding.effect === 'changed' || finding.effect === 'removed';
const widening = (finding: Finding): boolean => finding.effect === 'widen' || finding.effect === 'changed' || finding.effect === 'added';

/** Compares two schemas at `path`: every difference, whichever way it goes. */
export const compareSchemas = (previous: unknown, current: unknown, path: string, context: Context): Finding[] => {
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
  return compareAlternatives(before, after, path, context);
};

/** Matches the alternatives of two unions with each other, in both directions. */
const compareAlternatives = (before: readonly Alternative[], after: readonly Alternative[], path: string, context: Context): Finding[] => {
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
  // The counterpart that breaks the fewest readers or senders (then: differs the least).
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

/** Compares two alternatives of the same kind. */
const comparePair = (before: Alternative, after: Alternative, path: string, context: Context): Finding[] => {
  const p = before.schema;
  const c = after.schema;
  const findings: Finding[] = [];
  const push = (effect: Finding['effect'], text: string): void => void findings.push({ path, effect, text, plain: false });

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
    case 'number':
      findings.push(...compareNumbers(p, c, path));
      break;
    case 'string':
      findings.push(...compareStrings(p, c, path));
      break;
    case 'array':
      findings.push(...compareArrays(p, c, path, context));
      break;
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
