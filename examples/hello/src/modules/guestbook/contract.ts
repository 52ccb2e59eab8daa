/**
 * @module The guestbook's public face: who has been greeted, newest first.
 */
import { z } from 'zod';
import { defineContract } from '../../../../../src/kernel/contract.js';

export const guestbookContract = defineContract('guestbook', 1, {
  methods: {
    entries: {
      input: z.object({}),
      output: z.object({ names: z.array(z.string()) }),
      errors: [],
      idempotent: true,
      summary: 'Everyone greeted so far, newest first',
    },
  },
});
