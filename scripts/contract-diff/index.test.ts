/**
 * The contract differ on documents `describeContract` makes of real zod schemas: what breaks
 * an old caller or reader without a major bump is refused, what is additive passes.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, type EventMap, type MethodMap } from '../../src/kernel/contract.js';
import { describeContract } from '../../src/kernel/contract-schema.js';
import { defineError } from '../../src/kernel/errors.js';
import { breakingChanges, compareContracts } from './index.js';

const NoSuchThing = defineError('NO_SUCH_THING', 'not-found', 'No such thing');

const status = z.enum(['OPEN', 'CLOSED']);
const thing = z.object({ id: z.string(), status, count: z.number().int().min(0), note: z.string().nullable() });
const listInput = z.object({ q: z.string().max(200).optional(), limit: z.number().int().min(1).max(100), status: status.optional() });

const baseMethods = {
  listThings: { input: listInput, output: z.object({ items: z.array(thing), nextCursor: z.string().nullable() }), errors: [], idempotent: true },
  getThing: { input: z.object({ id: z.string() }), output: thing, errors: [NoSuchThing], idempotent: true },
} satisfies MethodMap;
const baseEvents = { ThingClosed: { payload: z.object({ id: z.string(), at: z.string() }) } } satisfies EventMap;

const doc = (methods: MethodMap = baseMethods, events: EventMap = baseEvents, version = 1) =>
  describeContract(defineContract('things', version, { methods, events }));

const withListInput = (input: z.ZodType) => ({ ...baseMethods, listThings: { ...baseMethods.listThings, input } });
const withThingOutput = (output: z.ZodType) => ({ ...baseMethods, getThing: { ...baseMethods.getThing, output } });

describe('breakingChanges', () => {
  it('finds nothing between identical documents', () => {
    expect(compareContracts(doc(), doc())).toEqual({ breaking: [], additive: [] });
  });

  it('reports a field removed from an input', () => {
    const { q: _q, ...rest } = listInput.shape;
    expect(breakingChanges(doc(), doc(withListInput(z.object(rest))))).toEqual(['things/v1 listThings input: field "q" removed']);
  });

  it('reports a field removed from an output, also a nested one', () => {
    expect(breakingChanges(doc(), doc(withThingOutput(thing.omit({ note: true }))))).toEqual(['things/v1 getThing output: field "note" removed']);
    const methods = { ...baseMethods, listThings: { ...baseMethods.listThings, output: z.object({ items: z.array(thing.omit({ count: true })), nextCursor: z.string().nullable() }) } };
    expect(breakingChanges(doc(), doc(methods))).toEqual(['things/v1 listThings output: field "items[].count" removed']);
  });

  it('reports an optional input field made required, and a new required input field', () => {
    expect(breakingChanges(doc(), doc(withListInput(listInput.extend({ q: z.string().max(200) }))))).toEqual([
      'things/v1 listThings input: field "q" made required',
    ]);
    expect(breakingChanges(doc(), doc(withListInput(listInput.extend({ owner: z.string() }))))).toEqual([
      'things/v1 listThings input: field "owner" added as required',
    ]);
  });

  it('reports an enum narrowed in an input', () => {
    const narrowed = withListInput(listInput.extend({ status: z.enum(['OPEN']).optional() }));
    expect(breakingChanges(doc(), doc(narrowed))).toEqual(['things/v1 listThings input: field "status" narrowed: enum value "CLOSED" removed']);
  });

  it('reports an enum widened in an output, and in an event payload', () => {
    const widened = withThingOutput(thing.extend({ status: z.enum(['OPEN', 'CLOSED', 'ARCHIVED']) }));
    expect(breakingChanges(doc(), doc(widened))).toEqual(['things/v1 getThing output: field "status" widened: enum value "ARCHIVED" added']);
    const events = { ThingClosed: { payload: z.object({ id: z.string(), at: z.string(), reason: z.enum(['a', 'b']) }) } };
    const eventsWider = { ThingClosed: { payload: z.object({ id: z.string(), at: z.string(), reason: z.enum(['a', 'b', 'c']) }) } };
    expect(breakingChanges(doc(baseMethods, events), doc(baseMethods, eventsWider))).toEqual([
      'things/v1 ThingClosed payload: field "reason" widened: enum value "c" added',
    ]);
  });

  it('accepts the opposite moves as additive: enum widened in an input, narrowed in an output', () => {
    const inputWider = withListInput(listInput.extend({ status: z.enum(['OPEN', 'CLOSED', 'ARCHIVED']).optional() }));
    expect(compareContracts(doc(), doc(inputWider))).toEqual({
      breaking: [],
      additive: ['things/v1 listThings input: field "status" widened: enum value "ARCHIVED" added'],
    });
    const outputNarrower = withThingOutput(thing.extend({ status: z.enum(['OPEN']) }));
    expect(breakingChanges(doc(), doc(outputNarrower))).toEqual([]);
  });

  it('reports a maximum lowered or a minimum raised in an input', () => {
    expect(breakingChanges(doc(), doc(withListInput(listInput.extend({ limit: z.number().int().min(1).max(50) }))))).toEqual([
      'things/v1 listThings input: field "limit" narrowed: maximum lowered from 100 to 50',
    ]);
    expect(breakingChanges(doc(), doc(withListInput(listInput.extend({ q: z.string().min(3).max(200).optional() }))))).toEqual([
      'things/v1 listThings input: field "q" narrowed: minLength 3 added',
    ]);
    // Raising the maximum is fine for an input...
    expect(breakingChanges(doc(), doc(withListInput(listInput.extend({ limit: z.number().int().min(1).max(500) }))))).toEqual([]);
    // ...but not for an output: old readers may hold the old limit.
    expect(breakingChanges(doc(), doc(withThingOutput(thing.extend({ count: z.number().int().min(-1) }))))).toEqual([
      'things/v1 getThing output: field "count" widened: minimum lowered from 0 to -1',
    ]);
  });

  it('reports a changed pattern and a changed type', () => {
    const before = doc(withListInput(listInput.extend({ q: z.string().regex(/^[a-z]+$/).optional() })));
    const after = doc(withListInput(listInput.extend({ q: z.string().regex(/^[a-z0-9]+$/).optional() })));
    expect(breakingChanges(before, after)).toEqual(['things/v1 listThings input: field "q" narrowed: pattern changed from /^[a-z]+$/ to /^[a-z0-9]+$/']);
    expect(breakingChanges(doc(), doc(withThingOutput(thing.extend({ count: z.string() }))))).toEqual([
      'things/v1 getThing output: field "count" type changed from integer to string',
    ]);
  });

  it('reports an output field made optional or nullable', () => {
    expect(breakingChanges(doc(), doc(withThingOutput(thing.extend({ count: z.number().int().min(0).optional() }))))).toEqual([
      'things/v1 getThing output: field "count" made optional',
    ]);
    expect(breakingChanges(doc(), doc(withThingOutput(thing.extend({ count: z.number().int().min(0).nullable() }))))).toEqual([
      'things/v1 getThing output: field "count" made nullable',
    ]);
    // No longer nullable: old readers handle the non-null case already.
    expect(breakingChanges(doc(), doc(withThingOutput(thing.extend({ note: z.string() }))))).toEqual([]);
  });

  it('accepts new optional fields as additive, in inputs and outputs', () => {
    const after = doc({
      ...withListInput(listInput.extend({ owner: z.string().optional() })),
      getThing: { ...baseMethods.getThing, output: thing.extend({ tags: z.array(z.string()).optional() }) },
    });
    expect(compareContracts(doc(), after)).toEqual({
      breaking: [],
      additive: ['things/v1 listThings input: field "owner" added (optional)', 'things/v1 getThing output: field "tags" added (optional)'],
    });
  });

  it('reports a method or an event removed, and accepts one added', () => {
    const { getThing: _getThing, ...withoutGet } = baseMethods;
    expect(breakingChanges(doc(), doc(withoutGet))).toEqual(['things/v1: method "getThing" removed']);
    expect(breakingChanges(doc(), doc(baseMethods, {}))).toEqual(['things/v1: event "ThingClosed" removed']);
    const more = { ...baseEvents, ThingOpened: { payload: z.object({ id: z.string() }) } };
    expect(compareContracts(doc(), doc(baseMethods, more))).toEqual({ breaking: [], additive: ['things/v1: event "ThingOpened" added'] });
  });

  it('reports a method that stops being idempotent; new error codes are additive', () => {
    const after = doc({ ...baseMethods, getThing: { ...baseMethods.getThing, idempotent: false, errors: [NoSuchThing, defineError('GONE', 'not-found', 'Gone')] } });
    expect(compareContracts(doc(), after)).toEqual({
      breaking: ['things/v1 getThing: no longer idempotent, but old callers may retry it'],
      additive: ['things/v1 getThing: may now raise GONE'],
    });
  });

  it('follows unions: a new variant of an output union is breaking, a removed input variant too', () => {
    const a = z.object({ kind: z.literal('a'), x: z.string() });
    const b = z.object({ kind: z.literal('b'), y: z.number() });
    const c = z.object({ kind: z.literal('c') });
    const before = doc(withThingOutput(z.discriminatedUnion('kind', [a, b])));
    expect(breakingChanges(before, doc(withThingOutput(z.discriminatedUnion('kind', [a, b]))))).toEqual([]);
    expect(breakingChanges(before, doc(withThingOutput(z.discriminatedUnion('kind', [a, b, c]))))).toEqual([
      'things/v1 getThing output: widened: variant with kind "c" added',
    ]);
    expect(breakingChanges(before, doc(withThingOutput(z.discriminatedUnion('kind', [a, b.extend({ z: z.boolean() })]))))).toEqual([]);
    expect(breakingChanges(doc(withListInput(z.union([a, b]))), doc(withListInput(a)))).toEqual(['things/v1 listThings input: narrowed: variant with kind "b" removed']);
  });

  it('starts afresh at a new major version', () => {
    const { getThing: _getThing, ...withoutGet } = baseMethods;
    expect(compareContracts(doc(), doc(withoutGet, {}, 2))).toEqual({ breaking: [], additive: [] });
    expect(() => compareContracts(doc(), describeContract(defineContract('other', 1, { methods: baseMethods })))).toThrow(/Cannot compare/);
  });
});
