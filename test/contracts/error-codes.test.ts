/**
 * Every error code is declared once, by the module (or layer) that owns it: a module passes
 * on another's refusal by re-exporting its spec, never by declaring the same code again, so
 * one code has one title, one kind and one public status wherever it surfaces.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { application } from '../../src/application.js';
import { defineContract, type AnyContract } from '../../src/kernel/contract.js';
import { defineError, type ErrorSpec } from '../../src/kernel/errors.js';
import { contractFileErrors, layerErrors } from './declared-errors.js';

/** Codes declared by more than one spec, with how many. */
const duplicateCodes = (contracts: readonly AnyContract[], others: readonly ErrorSpec[]): Record<string, number> => {
  const specsByCode = new Map<string, Set<ErrorSpec>>();
  const note = (spec: ErrorSpec): void => {
    specsByCode.set(spec.code, (specsByCode.get(spec.code) ?? new Set()).add(spec));
  };
  others.forEach(note);
  for (const contract of contracts) for (const method of Object.values(contract.methods)) method.errors.forEach(note);
  return Object.fromEntries([...specsByCode].filter(([, specs]) => specs.size > 1).map(([code, specs]) => [code, specs.size]));
};

describe('error codes', () => {
  it('are each declared once across every contract, the kernel and the edge', async () => {
    expect(duplicateCodes(application.modules.map((module) => module.provides), [...layerErrors, ...(await contractFileErrors())])).toEqual({});
  });

  it('a code declared a second time is caught', () => {
    const Original = defineError('WIDGET_MISSING', 'not-found', 'No such widget');
    const Again = defineError('WIDGET_MISSING', 'not-found', 'No such widget');
    const method = (errors: readonly ErrorSpec[]) => ({ input: z.object({}), output: z.object({}), errors, idempotent: true });
    const first = defineContract('widgets', 1, { methods: { get: method([Original]) }, events: {} });
    const second = defineContract('assembly', 1, { methods: { build: method([Again]) }, events: {} });
    expect(duplicateCodes([first, second], [])).toEqual({ WIDGET_MISSING: 2 });
    const passedOn = defineContract('assembly', 1, { methods: { build: method([Original]) }, events: {} });
    expect(duplicateCodes([first, passedOn], [])).toEqual({});
  });
});
