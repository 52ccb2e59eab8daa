/**
 * `describeContract`: a contract's zod schemas as the JSON document that is snapshotted.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, type EventMap, type MethodMap } from './contract.js';
import { describeContract } from './contract-schema.js';
import { defineError } from './errors.js';

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

describe('describeContract', () => {
  it('describes inputs as accepted and outputs as produced, with error codes and idempotency', () => {
    const document = doc();
    expect(document.name).toBe('things');
    expect(document.version).toBe(1);
    const getThing = document.methods['getThing'];
    expect(getThing?.errors).toEqual(['NO_SUCH_THING']);
    expect(getThing?.idempotent).toBe(true);
    // Inputs stay open (zod strips unknown keys); outputs are closed.
    expect(getThing?.input).toEqual({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
    expect(getThing?.output).toMatchObject({ type: 'object', additionalProperties: false, required: ['id', 'status', 'count', 'note'] });
    expect(document.events['ThingClosed']?.payload).toMatchObject({ properties: { id: { type: 'string' }, at: { type: 'string' } } });
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it('names the member whose schema has no JSON Schema form', () => {
    const methods = { ...baseMethods, when: { input: z.object({ at: z.date() }), output: z.object({}), errors: [], idempotent: true } };
    expect(() => doc(methods)).toThrow(/things\/v1 when input cannot be described/);
  });
});
