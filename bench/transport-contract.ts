/**
 * @module The tiny contract and the work both sides of the transport benchmark share.
 */
import { z } from 'zod';
import { defineContract } from '../src/kernel/contract.js';

export const benchSecret = 'bench-secret-bench-secret-bench-secret-01';

export const benchContract = defineContract('bench', 1, {
  methods: {
    echo: {
      input: z.object({ id: z.string(), quantity: z.number().int() }),
      output: z.object({ id: z.string(), quantity: z.number().int(), accepted: z.boolean() }),
      errors: [],
      idempotent: true,
    },
  },
});

export const echo = (input: { id: string; quantity: number }) => ({ id: input.id, quantity: input.quantity, accepted: input.quantity > 0 });
