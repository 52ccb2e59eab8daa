/**
 * Events end to end inside one process: outbox written in the publisher's transaction,
 * relayed to the subscriber, consumed once through its inbox; failures retried, then dead,
 * then replayed.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/kernel/config.js';
import { openDatabase, selectRows, type Database, type DatabaseHandle } from '../../src/kernel/database.js';
import { consumeOnce } from '../../src/kernel/outbox.js';
import { createLogger } from '../../src/kernel/logger.js';
import { defineModule } from '../../src/kernel/module.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import { greeterContract, greeterModule, listenerContract, listenerControl, listenerModule } from '../support/greeter-modules.js';

let database: DatabaseHandle | undefined;
let host: ModuleHost | undefined;

const startHost = async (relay: { maxAttempts?: number; backoffMs?: (attempt: number) => number } = {}) => {
  database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  const config = loadConfig({ NODE_ENV: 'test' });
  host = new ModuleHost({
    database,
    config,
    logger: createLogger({ level: 'silent' }),
    bind: inProcessBinder({ validate: true }),
    relay: { pollIntervalMs: 60_000, ...relay }, // tests drive the relay with drain()
  });
  await host.start([greeterModule, listenerModule]);
  return { host, db: database.db, greeter: host.api(greeterContract), listener: host.api(listenerContract) };
};

const outboxRows = (db: Database) =>
  selectRows<{ status: string; attempts: number; subscriber: string; last_error: string | null }>(db, sql`select status, attempts, subscriber, last_error from pub.outbox`);

afterEach(async () => {
  listenerControl.down = false;
  await host?.stop();
  await database?.close();
});

describe('events through the outbox', () => {
  it('delivers a committed event to its subscriber once', async () => {
    const { host, db, greeter, listener } = await startHost();
    await greeter.greet({ name: 'Ada', fail: false });
    expect(await outboxRows(db)).toMatchObject([{ status: 'pending', subscriber: 'sub' }]);
    expect(await host.relay.drain()).toBe(1);
    expect(await listener.received({})).toEqual({ names: ['Ada'] });
    expect(await outboxRows(db)).toMatchObject([{ status: 'delivered', attempts: 1 }]);
    expect(await host.relay.drain()).toBe(0);
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const { host, db, greeter, listener } = await startHost();
    await greeter.greet({ name: 'Ghost', fail: true });
    expect(await outboxRows(db)).toEqual([]);
    await host.relay.drain();
    expect(await listener.received({})).toEqual({ names: [] });
  });

  it('has no second effect when an event is delivered again', async () => {
    const { host, db, greeter, listener } = await startHost();
    await greeter.greet({ name: 'Grace', fail: false });
    await host.relay.drain();
    const [row] = await selectRows<{ event_id: string; event_type: string; payload: { name: string }; occurred_at: Date }>(
      db,
      sql`select event_id, event_type, payload, occurred_at from pub.outbox`,
    );
    const again = { id: row!.event_id, type: row!.event_type, payload: row!.payload, occurredAt: new Date(row!.occurred_at).toISOString() };
    const handler = async () => {
      await db.execute(sql`insert into sub.received (name) values ('duplicate')`);
    };
    expect(await consumeOnce(db, 'sub', again, handler)).toBe(false);
    expect(await listener.received({})).toEqual({ names: ['Grace'] });
  });

  it('retries a failing delivery, parks it as dead after the last attempt, and replays it', async () => {
    const { host, db, greeter, listener } = await startHost({ maxAttempts: 3, backoffMs: () => 0 });
    await greeter.greet({ name: 'Linus', fail: false });
    listenerControl.down = true;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await host.relay.drain();
    }
    listenerControl.down = false;
    expect(await outboxRows(db)).toMatchObject([{ status: 'dead', attempts: 3, last_error: 'Error: subscriber is down' }]);
    const [letter] = await host.relay.deadLetters();
    expect(letter).toMatchObject({ schema: 'pub', subscriber: 'sub', eventType: 'greeter/v1#Greeted', attempts: 3 });
    expect(await listener.received({})).toEqual({ names: [] });

    expect(await host.relay.replay('pub', letter!.id)).toBe(true);
    expect(await host.relay.drain()).toBe(1);
    expect(await listener.received({})).toEqual({ names: ['Linus'] });
  });

  it('waits out the backoff before retrying', async () => {
    const { host, db, greeter, listener } = await startHost({ backoffMs: () => 60_000 });
    await greeter.greet({ name: 'Barbara', fail: false });
    listenerControl.down = true;
    expect(await host.relay.drain()).toBe(0);
    listenerControl.down = false;
    const [row] = await selectRows<{ wait_seconds: number }>(db, sql`select extract(epoch from next_attempt_at - now())::float8 as wait_seconds from pub.outbox`);
    expect(row?.wait_seconds).toBeGreaterThan(50);
    expect(await outboxRows(db)).toMatchObject([{ status: 'pending', attempts: 1, last_error: 'Error: subscriber is down' }]);
    expect(await host.relay.drain()).toBe(0);
    expect(await listener.received({})).toEqual({ names: [] });
  });

  it('refuses a module that declares a subscription without handling it', async () => {
    const silent = defineModule({ ...listenerModule, create: () => ({ received: async () => ({ names: [] }) }) });
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    host = new ModuleHost({ database, config: loadConfig({ NODE_ENV: 'test' }), logger: createLogger({ level: 'silent' }), bind: inProcessBinder({}) });
    await expect(host.start([greeterModule, silent])).rejects.toThrow('Module sub subscribes to greeter/v1#Greeted but registers no handler');
  });
});
