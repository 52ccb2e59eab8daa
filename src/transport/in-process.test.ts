import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, type ContractApi } from '../kernel/contract.js';
import { defineError, SeamError } from '../kernel/errors.js';
import { bindInProcess } from './in-process.js';

const TooLarge = defineError('TOO_LARGE', 'refused', 'Too large');

const calculator = defineContract('calculator', 1, {
  methods: {
    double: {
      input: z.object({ value: z.number().int().max(1000) }),
      output: z.object({ result: z.number().int() }),
      errors: [TooLarge],
      idempotent: true,
    },
  },
});

class Calculator implements ContractApi<typeof calculator> {
  calls = 0;
  async double(input: { value: number }) {
    this.calls += 1;
    if (input.value > 500) throw TooLarge.create('Too large to double', { value: input.value });
    // A deliberate bug for one value: a fractional result breaks the output schema.
    return { result: input.value === 7 ? 14.5 : input.value * 2 };
  }
  internalOnly(): string {
    return 'not part of the contract';
  }
}

describe.each([{ validate: true }, { validate: false }])('bindInProcess (validate: $validate)', ({ validate }) => {
  it('calls the implementation and returns its result', async () => {
    const implementation = new Calculator();
    const api = bindInProcess(calculator, implementation, { validate });
    await expect(api.double({ value: 21 })).resolves.toEqual({ result: 42 });
    expect(implementation.calls).toBe(1);
  });

  it('passes domain errors through unchanged', async () => {
    const api = bindInProcess(calculator, new Calculator(), { validate });
    const error = await api.double({ value: 600 }).catch((caught: unknown) => caught);
    expect(TooLarge.is(error)).toBe(true);
    expect((error as SeamError).details).toEqual({ value: 600 });
  });

  it('exposes the contract methods and nothing else', () => {
    const api = bindInProcess(calculator, new Calculator(), { validate });
    expect(Object.keys(api)).toEqual(['double']);
    expect('internalOnly' in api).toBe(false);
    expect(Object.isFrozen(api)).toBe(true);
  });
});

describe('bindInProcess with validation', () => {
  it('rejects bad input with VALIDATION_FAILED naming the field, before the implementation runs', async () => {
    const implementation = new Calculator();
    const api = bindInProcess(calculator, implementation, { validate: true });
    const error = (await api.double({ value: 2000 }).catch((caught: unknown) => caught)) as SeamError;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('calculator/v1.double input: value:');
    expect(error.details).toMatchObject({ errors: [{ field: 'value' }] });
    expect(implementation.calls).toBe(0);
  });

  it('turns output that breaks the contract into INTERNAL, not a client error', async () => {
    const api = bindInProcess(calculator, new Calculator(), { validate: true });
    const error = (await api.double({ value: 7 }).catch((caught: unknown) => caught)) as SeamError;
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('calculator/v1.double returned output that breaks its contract');
  });
});

describe('bindInProcess without validation', () => {
  it('does not check input, so the call costs no more than a direct one', async () => {
    const api = bindInProcess(calculator, new Calculator(), { validate: false });
    await expect(api.double({ value: 2000 } as { value: number })).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('refuses an implementation that lacks a method', () => {
    const broken = {} as ContractApi<typeof calculator>;
    expect(() => bindInProcess(calculator, broken, { validate: false })).toThrow('calculator/v1: implementation lacks method double');
  });
});
