/**
 * @module Dead letters from both places an event can end up dead, listed and replayed as one:
 *
 *  - outbox rows marked `dead` (the relay gave up delivering them), in the outbox of each
 *    publishing module's schema; replaying one puts it back to `pending` with a fresh attempt
 *    count, so the relay sends it again;
 *  - a subscriber's queue dead letters (`seam.dead.<module>`, split deployments), which a
 *    replay puts back on its queue.
 *
 * Every row says which it came from.
 */
import { sql } from 'drizzle-orm';
import type { Application } from '../src/host/application.js';
import { selectRows, type Database, type DatabaseHandle } from '../src/kernel/database.js';
import type { AnyModule } from '../src/kernel/module.js';
import { outboxStore, type OutboxStore } from '../src/kernel/outbox-store.js';
import { listDeadLetters, replayDeadLetter } from '../src/transport/queue/dead-letters.js';
import { UsageError } from './cli/cli-errors.js';

export interface DeadRow {
  readonly source: 'outbox' | 'queue';
  /** The outbox's schema (the publishing module's), or the subscriber's dead-letter queue. */
  readonly place: string;
  /** What `replay` takes: the outbox row's id, or the queue letter's (the event id). */
  readonly id: string;
  readonly subscriber: string;
  readonly eventType: string;
  readonly attempts: number;
  readonly lastError: string;
}

/** Where dead letters are looked for; either may be absent. */
export interface DeadLetterSources {
  readonly database?: DatabaseHandle;
  readonly redis?: { readonly url: string; readonly prefix?: string };
}

export interface DeadLetterFilter {
  /** Only letters for this subscribing module. */
  readonly subscriber?: string;
}

/** Where a listing looked: the outboxes (schemas) and the subscribers' queues. */
export interface Looked {
  readonly outboxes: readonly string[];
  readonly queues: readonly string[];
}

const publishersOf = (modules: readonly AnyModule[]): AnyModule[] => modules.filter((module) => Object.keys(module.provides.events).length > 0);
const subscribersOf = (modules: readonly AnyModule[]): AnyModule[] => modules.filter((module) => (module.subscribes?.length ?? 0) > 0);

/** The schemas of `modules` that have an outbox table here (a database holds only its services' modules, migrated or not). */
const outboxSchemas = async (db: Database, modules: readonly AnyModule[]): Promise<string[]> => {
  const present: string[] = [];
  for (const module of publishersOf(modules)) {
    const [row] = await selectRows<{ present: boolean }>(db, sql`select to_regclass(${`"${module.schema}"."outbox"`}) is not null as present`);
    if (row?.present) present.push(module.schema);
  }
  return present;
};

const checkedFilter = (application: Application, filter: DeadLetterFilter): DeadLetterFilter => {
  const names = application.modules.map((module) => module.name);
  if (filter.subscriber !== undefined && !names.includes(filter.subscriber)) throw new UsageError(`no module named ${filter.subscriber} (modules: ${names.join(', ')})`);
  return filter;
};

const storeOf = async (database: DatabaseHandle, application: Application): Promise<{ store: OutboxStore; schemas: string[] }> => {
  const schemas = await outboxSchemas(database.db, application.modules);
  // Neither lease nor batch size matters: the store only lists and replays here.
  return { store: outboxStore({ db: database.db, schemas, leaseSeconds: 30, batchSize: 1 }), schemas };
};

/** Every dead letter of `application` in `sources`, outboxes first, each oldest first. */
export const deadLettersOf = async (application: Application, sources: DeadLetterSources, filter: DeadLetterFilter = {}): Promise<{ rows: DeadRow[]; looked: Looked }> => {
  const { subscriber } = checkedFilter(application, filter);
  const rows: DeadRow[] = [];
  let outboxes: string[] = [];
  if (sources.database) {
    const { store, schemas } = await storeOf(sources.database, application);
    outboxes = schemas;
    for (const letter of await store.deadLetters()) {
      if (subscriber !== undefined && letter.subscriber !== subscriber) continue;
      const { schema, id, eventType, attempts, lastError } = letter;
      rows.push({ source: 'outbox', place: schema, id, subscriber: letter.subscriber, eventType, attempts, lastError: lastError ?? '' });
    }
  }
  const queues = sources.redis ? subscribersOf(application.modules).map((module) => module.name).filter((name) => subscriber === undefined || name === subscriber) : [];
  if (sources.redis) {
    const { url, prefix } = sources.redis;
    for (const name of queues) {
      for (const letter of await listDeadLetters({ connection: url, subscriber: name, ...(prefix === undefined ? {} : { prefix }) })) {
        rows.push({ source: 'queue', place: `seam.dead.${name}`, id: letter.id, subscriber: name, eventType: letter.name, attempts: letter.attempts, lastError: letter.error });
      }
    }
  }
  return { rows, looked: { outboxes, queues } };
};

/**
 * Replays the dead letters named by `ids` (every one listed, without ids): outbox rows back to
 * pending, queue letters back on their queue. Returns what was replayed and the ids not found.
 */
export const replayDeadLetters = async (
  application: Application,
  sources: DeadLetterSources,
  options: DeadLetterFilter & { readonly ids?: readonly string[] },
): Promise<{ replayed: DeadRow[]; notFound: string[] }> => {
  const { rows } = await deadLettersOf(application, sources, options);
  const chosen = options.ids === undefined ? rows : rows.filter((row) => options.ids?.includes(row.id));
  const store = sources.database ? (await storeOf(sources.database, application)).store : undefined;
  const { redis } = sources;
  const replayOne = (row: DeadRow): Promise<boolean> => {
    if (row.source === 'outbox') return store ? store.replay(row.place, row.id) : Promise.resolve(false);
    if (!redis) return Promise.resolve(false);
    return replayDeadLetter({ connection: redis.url, subscriber: row.subscriber, id: row.id, ...(redis.prefix === undefined ? {} : { prefix: redis.prefix }) });
  };
  const replayed: DeadRow[] = [];
  // One not replayed was replayed or removed by someone else since it was listed.
  for (const row of chosen) if (await replayOne(row)) replayed.push(row);
  const notFound = (options.ids ?? []).filter((id) => !replayed.some((row) => row.id === id));
  return { replayed, notFound };
};
