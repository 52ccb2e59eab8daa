/**
 * Every error code is declared once, by the module (or layer) that owns it: a module passes
 * on another's refusal by re-exporting its spec, never by declaring the same code again, so
 * one code has one title and one status wherever it surfaces.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allModules } from '../../src/app/modules.js';
import { defineContract, type AnyContract } from '../../src/kernel/contract.js';
import { commonErrors, defineError, type ErrorSpec } from '../../src/kernel/errors.js';
import { edgeErrors } from '../../src/gateway/edge-limits.js';
import { CallerNotAllowed } from '../../src/transport/http/caller-permissions.js';
import { UnknownContract, UnknownContractVersion, UnknownMethod } from '../../src/transport/http/rpc-server.js';

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
  it('are each declared once across every contract, the kernel and the edge', () => {
    expect(duplicateCodes(allModules.map((module) => module.provides), [...commonErrors, ...edgeErrors, CallerNotAllowed, UnknownContract, UnknownContractVersion, UnknownMethod])).toEqual({});
  });

  it('a code declared a second time is caught', () => {
    const Original = defineError('WIDGET_MISSING', 404, 'No such widget');
    const Again = defineError('WIDGET_MISSING', 404, 'No such widget');
    const method = (errors: readonly ErrorSpec[]) => ({ input: z.object({}), output: z.object({}), errors, idempotent: true });
    const first = defineContract('widgets', 1, { methods: { get: method([Original]) }, events: {} });
    const second = defineContract('assembly', 1, { methods: { build: method([Again]) }, events: {} });
    expect(duplicateCodes([first, second], [])).toEqual({ WIDGET_MISSING: 2 });
    const passedOn = defineContract('assembly', 1, { methods: { build: method([Original]) }, events: {} });
    expect(duplicateCodes([first, passedOn], [])).toEqual({});
  });
});
