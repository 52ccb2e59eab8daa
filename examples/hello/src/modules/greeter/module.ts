/**
 * @module The greeter: stores each greeting and publishes `Greeted` in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineModule } from '../../../../../src/kernel/module.js';
import { greeterContract, NameRefused } from './contract.js';
import { greetings } from './schema.js';

export const greeterModule = defineModule({
  name: 'greeter',
  provides: greeterContract,
  requires: {},
  schema: 'greeter',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  create: ({ db, events }) => ({
    greet: async ({ name }) => {
      if (name.toLowerCase() === 'nobody') throw NameRefused.create(`${name} is not greeted`, { name });
      const id = randomUUID();
      await db.transaction(async (tx) => {
        await tx.insert(greetings).values({ id, name });
        await events.publish(tx, 'Greeted', { greetingId: id, name });
      });
      return { id, message: `Hello, ${name}!` };
    },
  }),
});
