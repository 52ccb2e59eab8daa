import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineContract, type ContractApi } from './contract.js';

const greeter = defineContract('greeter', 2, {
  methods: {
    greet: { input: z.object({ name: z.string() }), output: z.object({ text: z.string() }), errors: [], idempotent: true },
  },
  events: { greeted: { payload: z.object({ name: z.string() }) } },
});

describe('defineContract', () => {
  it('names the contract with its major version and a stable token', () => {
    expect(greeter.id).toBe('greeter/v2');
    expect(greeter.token).toBe(Symbol.for('seam.contract:greeter/v2'));
    expect(Object.isFrozen(greeter)).toBe(true);
  });

  it('derives the caller interface from the schemas', () => {
    expectTypeOf<ContractApi<typeof greeter>>().toEqualTypeOf<{
      readonly greet: (input: { name: string }) => Promise<{ text: string }>;
    }>();
  });

  it('rejects names a transport could not route', () => {
    expect(() => defineContract('Bad Name', 1, { methods: {} })).toThrow(/lower-case/);
    expect(() => defineContract('ok', 0, { methods: {} })).toThrow(/positive integer/);
    const method = { input: z.object({}), output: z.object({}), errors: [], idempotent: false };
    expect(() => defineContract('ok', 1, { methods: { 'bad/name': method } })).toThrow(/not a valid method/);
  });
});
