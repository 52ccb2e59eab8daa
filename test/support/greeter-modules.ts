/**
 * @module A publisher module (`pub`, contract greeter/v1, event Greeted) and a subscriber module
 * (`sub`) on the migrations generated from their schema.ts files in test/kernel/fixtures, with
 * a switch that makes the subscriber's handler fail: for tests of event delivery over any
 * transport.
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { currentCall, type CallContext } from '../../src/kernel/call-context.js';
import { defineContract } from '../../src/kernel/contract.js';
import { selectRows } from '../../src/kernel/database.js';
import { subscription } from '../../src/kernel/events.js';
import { defineModule } from '../../src/kernel/module.js';

const fixtures = join(import.meta.dirname, '..', 'kernel', 'fixtures');

export const greeterContract = defineContract('greeter', 1, {
  methods: {
    greet: { input: z.object({ name: z.string(), fail: z.boolean() }), output: z.object({ id: z.string() }), errors: [], idempotent: false },
  },
  events: { Greeted: { payload: z.object({ name: z.string() }) } },
});

export const listenerContract = defineContract('listener', 1, {
  methods: { received: { input: z.object({}), output: z.object({ names: z.array(z.string()) }), errors: [], idempotent: true } },
});

/** Publishes Greeted in the transaction that stores the greeting; `fail` rolls both back. */
export const greeterModule = defineModule({
  name: 'pub',
  provides: greeterContract,
  requires: {},
  schema: 'pub',
  migrations: join(fixtures, 'publisher', 'migrations'),
  create: ({ db, events }) => ({
    async greet({ name, fail }) {
      const id = crypto.randomUUID();
      await db
        .transaction(async (tx) => {
          await tx.execute(sql`insert into pub.greetings (id, name) values (${id}, ${name})`);
          await events.publish(tx, 'Greeted', { name });
          if (fail) throw new Error('rolled back after publishing');
        })
        .catch((error: unknown) => {
          if (!fail) throw error;
        });
      return { id };
    },
  }),
});

/**
 * The subscriber's behaviour: `down` makes every handler call fail; `calls` counts them;
 * `calledIn` records the call context each ran in.
 */
export const listenerControl = { down: false, calls: 0, calledIn: new Map<string, CallContext | undefined>() };

export const listenerModule = defineModule({
  name: 'sub',
  provides: listenerContract,
  requires: {},
  schema: 'sub',
  migrations: join(fixtures, 'subscriber', 'migrations'),
  subscribes: [subscription(greeterContract, 'Greeted')],
  create: ({ db, on }) => {
    on(greeterContract, 'Greeted', async (event, tx) => {
      listenerControl.calls += 1;
      listenerControl.calledIn.set(event.payload.name, currentCall());
      if (listenerControl.down) throw new Error('subscriber is down');
      await tx.execute(sql`insert into sub.received (name) values (${event.payload.name})`);
    });
    return {
      async received() {
        const rows = await selectRows<{ name: string }>(db, sql`select name from sub.received order by id`);
        return { names: rows.map((row) => row.name) };
      },
    };
  },
});
