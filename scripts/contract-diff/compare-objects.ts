/**
 * @module Objects compared between two versions: fields removed, added, made required or
 * optional, and unknown keys, each judged by whether the object is sent or read.
 */
import type { JsonSchema } from '../../src/kernel/contract-schema.js';
import type { Context, Finding } from './findings.js';
import { child, isRecord } from './alternatives.js';

export const compareObjects = (p: JsonSchema, c: JsonSchema, path: string, context: Context): Finding[] => {
  const { direction, compare } = context;
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
    findings.push(...compare(fieldSchema(previousProperties, previousExtra, field), fieldSchema(currentProperties, currentExtra, field), at, context));
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
    else if (previousExtra !== false && currentExtra !== false) findings.push(...compare(previousExtra, currentExtra, child(path, '*'), context));
  } else if (previousExtra !== false) {
    // A closed output object gaining extra keys breaks no one (they are stripped); an open
    // one (a record, a catchall) is compared value by value.
    if (currentExtra === false) findings.push({ path, effect: 'narrow', plain: true, text: 'no longer carries unknown fields' });
    else findings.push(...compare(previousExtra, currentExtra, child(path, '*'), context));
  }
  if (p['propertyNames'] !== undefined || c['propertyNames'] !== undefined) {
    findings.push(...compare(p['propertyNames'] ?? true, c['propertyNames'] ?? true, child(path, '<key>'), context));
  }
  return findings;
};
