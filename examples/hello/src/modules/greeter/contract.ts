/**
 * @module The greeter's public face: greet someone, and the event that says it happened.
 */
import { z } from 'zod';
import { defineContract } from '../../../../../src/kernel/contract.js';
import { defineError } from '../../../../../src/kernel/errors.js';

/** The greeter does not greet that name. details: `{ name }`. */
export const NameRefused = defineError('NAME_REFUSED', 'refused', 'That name is not greeted');

const name = z.string().trim().min(1).max(50);

export const greeterContract = defineContract('greeter', 1, {
  methods: {
    greet: {
      input: z.object({ name }),
      output: z.object({ id: z.string(), message: z.string() }),
      errors: [NameRefused],
      idempotent: false,
      summary: 'Greets someone, and tells whoever listens',
    },
  },
  events: {
    Greeted: { payload: z.object({ greetingId: z.string(), name }), summary: 'Someone was greeted' },
  },
});
