/**
 * @module The guestbook: writes down everyone the greeter greets, from its `Greeted` events,
 * whether the greeter runs in this process or another.
 */
import { desc } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { subscription } from '../../../../../src/kernel/events.js';
import { defineModule } from '../../../../../src/kernel/module.js';
import { greeterContract } from '../greeter/contract.js';
import { guestbookContract } from './contract.js';
import { entries } from './schema.js';

export const guestbookModule = defineModule({
  name: 'guestbook',
  provides: guestbookContract,
  requires: {},
  schema: 'guestbook',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  subscribes: [subscription(greeterContract, 'Greeted')],
  create: ({ db, on }) => {
    on(greeterContract, 'Greeted', async (event, tx) => {
      await tx.insert(entries).values({ greetingId: event.payload.greetingId, name: event.payload.name }).onConflictDoNothing();
    });
    return {
      entries: async () => ({ names: (await db.select({ name: entries.name }).from(entries).orderBy(desc(entries.writtenAt))).map((row) => row.name) }),
    };
  },
});
