/**
 * @module A subscriber module for the tests of handlers that share transactions: module `sub`
 * (the listener contract, on the subscriber fixture's migrations) whose Greeted handler
 * records each name it handles, fails for names starting with `poison`, and notes the
 * transaction it ran in, so a test can see which events were handled together.
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { currentCall, type CallContext } from '../../src/kernel/call-context.js';
import { selectRows } from '../../src/kernel/database.js';
import { subscription } from '../../src/kernel/events.js';
import { defineModule } from '../../src/kernel/module.js';
import { greeterContract, listenerContract } from '../support/greeter-modules.js';

export const subscriberMigrations = join(import.meta.dirname, 'fixtures', 'subscriber', 'migrations');

/** What the handler saw: every call (rolled back or not), and the transaction and call context of each. */
export interface HandlerLog {
  readonly calls: string[];
  readonly transactionOf: Map<string, string>;
  readonly calledIn: Map<string, CallContext | undefined>;
}

export const handlerLog = (): HandlerLog => ({ calls: [], transactionOf: new Map(), calledIn: new Map() });

/** Module `sub`, its handler registered with `shareTransaction` as given, writing to `log`. */
export const sharingSubscriber = (log: HandlerLog, shareTransaction = true) =>
  defineModule({
    name: 'sub',
    provides: listenerContract,
    requires: {},
    schema: 'sub',
    migrations: subscriberMigrations,
    subscribes: [subscription(greeterContract, 'Greeted')],
    create: ({ db, on }) => {
      on(
        greeterContract,
        'Greeted',
        async (event, tx) => {
          const { name } = event.payload;
          log.calls.push(name);
          log.calledIn.set(name, currentCall());
          const [row] = await selectRows<{ id: string }>(tx, sql`select txid_current()::text as id`);
          log.transactionOf.set(name, row!.id);
          if (name.startsWith('poison')) throw new Error(`cannot handle ${name}`);
          await tx.execute(sql`insert into sub.received (name) values (${name})`);
        },
        { shareTransaction },
      );
      return {
        async received() {
          const rows = await selectRows<{ name: string }>(db, sql`select name from sub.received order by id`);
          return { names: rows.map((row) => row.name) };
        },
      };
    },
  });
