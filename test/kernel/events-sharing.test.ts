/**
 * Handlers that share transactions, in one process: the relay hands a claimed batch to the
 * subscriber at once and its events are handled in one transaction; a failing event is
 * retried and parked as dead alone while the others are handled once; a redelivered batch
 * changes nothing; and a handler that did not opt in keeps a transaction per event.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { runInCall } from '../../src/kernel/call-context.js';
import { loadConfig } from '../../src/kernel/config.js';
import { openDatabase, selectRows, type Database, type DatabaseHandle } from '../../src/kernel/database.js';
import type { EventEnvelope } from '../../src/kernel/events.js';
import { createLogger } from '../../src/kernel/logger.js';
import { ModuleHost } from '../../src/kernel/module-host.js';
import { inProcessBinder } from '../../src/transport/in-process.js';
import { greeterContract, greeterModule, listenerContract } from '../support/greeter-modules.js';
import { handlerLog, sharingSubscriber, type HandlerLog } from './events-sharing-subscriber.js';

let database: DatabaseHandle | undefined;
let host: ModuleHost | undefined;

const startHost = async (log: HandlerLog, shareTransaction = true) => {
  database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  host = new ModuleHost({
    database,
    config: loadConfig({ NODE_ENV: 'test' }),
    logger: createLogger({ level: 'silent' }),
    bind: inProcessBinder({ validate: true }),
    relay: { pollIntervalMs: 60_000, maxAttempts: 2, backoffMs: () => 0 }, // the tests drive the relay with drain()
  });
  await host.start([greeterModule, sharingSubscriber(log, shareTransaction)]);
  return { host, db: database.db, greeter: host.api(greeterContract), listener: host.api(listenerContract) };
};

afterEach(async () => {
  await host?.stop();
  await database?.close();
  host = undefined;
  database = undefined;
});

const outbox = (db: Database) =>
  selectRows<{ status: string; attempts: number; name: string }>(db, sql`select status, attempts, payload->>'name' as name from pub.outbox order by occurred_at`);

const envelopes = async (db: Database): Promise<EventEnvelope[]> =>
  (await selectRows<{ event_id: string; event_type: string; payload: unknown; occurred_at: Date | string }>(db, sql`select event_id, event_type, payload, occurred_at from pub.outbox order by occurred_at`)).map(
    (row) => ({ id: row.event_id, type: row.event_type, payload: row.payload, occurredAt: new Date(row.occurred_at).toISOString() }),
  );

describe('handlers that share transactions, relayed in process', () => {
  it('handles the events of a relayed batch together, each once, each in the trace that published it', async () => {
    const log = handlerLog();
    const { host, greeter, listener } = await startHost(log);
    const traces = ['1', '2', '3'].map((digit) => digit.repeat(32));
    for (const [n, traceId] of traces.entries()) await runInCall({ traceId, spanId: 'f'.repeat(16) }, () => greeter.greet({ name: `event${n}`, fail: false }));
    expect(await host.relay.drain()).toBe(3);
    expect(await listener.received({})).toEqual({ names: ['event0', 'event1', 'event2'] });
    expect(log.calls).toEqual(['event0', 'event1', 'event2']);
    expect(new Set(log.transactionOf.values()).size).toBe(1);
    expect([0, 1, 2].map((n) => log.calledIn.get(`event${n}`)?.traceId)).toEqual(traces);
  });

  it('retries and parks a failing event alone, while the others of its batch are handled once', async () => {
    const log = handlerLog();
    const { host, db, greeter, listener } = await startHost(log);
    for (const name of ['a', 'b', 'poison', 'c']) await greeter.greet({ name, fail: false });
    // One drain: the batch (poison fails it), each event alone, then poison's second attempt.
    expect(await host.relay.drain()).toBe(3);
    expect(await listener.received({})).toEqual({ names: ['a', 'b', 'c'] });
    expect(await outbox(db)).toMatchObject([
      { name: 'a', status: 'delivered', attempts: 1 },
      { name: 'b', status: 'delivered', attempts: 1 },
      { name: 'poison', status: 'dead', attempts: 2 },
      { name: 'c', status: 'delivered', attempts: 1 },
    ]);
    // The batch ran a, b and poison before poison failed it; a and b rolled back and ran again alone.
    expect(log.calls).toEqual(['a', 'b', 'poison', 'a', 'b', 'poison', 'c', 'poison']);
    expect(new Set(log.transactionOf.values()).size).toBe(4); // poison's last attempt and a, b, c: each a transaction of its own
  });

  it('changes nothing when a handled batch is delivered again', async () => {
    const log = handlerLog();
    const { host, db, greeter, listener } = await startHost(log);
    for (const name of ['a', 'b', 'c']) await greeter.greet({ name, fail: false });
    await host.relay.drain();
    log.calls.length = 0;
    await Promise.all((await envelopes(db)).map((event) => host.deliverLocal('sub', event)));
    expect(log.calls).toEqual([]);
    expect(await listener.received({})).toEqual({ names: ['a', 'b', 'c'] });
  });

  it('keeps one transaction per event for a handler that does not share', async () => {
    const log = handlerLog();
    const { host, greeter, listener } = await startHost(log, false);
    for (const name of ['a', 'poison', 'b']) await greeter.greet({ name, fail: false });
    expect(await host.relay.drain()).toBe(2);
    expect(await listener.received({})).toEqual({ names: ['a', 'b'] });
    expect(log.calls).toEqual(['a', 'poison', 'b', 'poison']); // only the failing event ran again
    expect(log.transactionOf.get('a')).not.toBe(log.transactionOf.get('b'));
  });
});
