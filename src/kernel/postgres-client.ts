/**
 * @module postgres.js as drizzle gets it: every query a named prepared statement, statements and
 * transactions retried or reported by what a transient failure did (database-failures.ts), on
 * a pool that is replaced when the driver wedges.
 *
 * postgres.js 3.4.9 mishandles a connection that closes under a transaction (porsager/postgres
 * #1154, #1208): the ROLLBACK it then sends is written to the dead connection from a timer,
 * which throws (uncatchable, so fatal to the process), never settles that transaction, and can
 * leave the connection unable to connect again. Any database restart may set it off. Until the
 * driver is fixed, that one error is absorbed here and the pool replaced: new statements go to
 * a fresh pool, and the old one is ended, which settles what was stuck on it
 * (CONNECTION_DESTROYED, a transient failure). Every other uncaught exception is left alone.
 */
import postgres from 'postgres';
import { isRead, runStatement, runTransaction, statementStalled, unlessStalled } from './database-failures.js';

type Sql = postgres.Sql;
type UnsafeOptions = Parameters<Sql['unsafe']>[2];
type Parameters_ = postgres.ParameterOrJSON<never>[] | undefined;

/** What a statement outside a transaction needs: the pool of the moment, and who hears of its failures. */
interface Pool {
  current(): Sql;
  observe(error: unknown): void;
  /** Counts `work` as holding (or waiting for) a connection until it settles: the pool's usage. */
  track<T>(work: Promise<T>): Promise<T>;
  /** How long a statement, or a transaction's start, may go unanswered: then it counts as stalled. */
  readonly stallMs: number;
}

/**
 * A statement drizzle runs outside a transaction, as postgres.js gives it (awaited for rows, or
 * `.values()` for array rows), sent again after a transient failure when that is safe
 * (database-failures.ts). It is sent once awaited, like postgres.js's own lazy queries.
 */
class RetriedStatement implements PromiseLike<unknown> {
  #rows: Promise<unknown> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly query: string,
    private readonly parameters: Parameters_,
    private readonly options: UnsafeOptions,
  ) {}

  then<A = unknown, B = never>(onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.#rows ??= this.#run((sql) => sql.unsafe(this.query, this.parameters, this.options));
    return this.#rows.then(onFulfilled, onRejected);
  }

  values(): Promise<unknown> {
    return this.#run((sql) => sql.unsafe(this.query, this.parameters, this.options).values());
  }

  #run(send: (sql: Sql) => PromiseLike<unknown>): Promise<unknown> {
    const { pool } = this;
    return pool.track(runStatement(() => unlessStalled(send(pool.current()), pool.stallMs), isRead(this.query), pool.observe));
  }
}

/** Every query as a named prepared statement, on `sql`: a transaction's or savepoint's own client. */
const preparingInTransaction = (sql: Sql): Sql =>
  new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: Parameters_, options?: UnsafeOptions) => target.unsafe(query, parameters, { ...options, prepare: true });
      }
      if (property === 'savepoint') {
        return (...args: unknown[]) => {
          const work = args.pop() as (inner: Sql) => unknown;
          const open = Reflect.get(target, property, receiver) as (...rest: unknown[]) => unknown;
          return open.call(target, ...args, (inner: Sql) => work(preparingInTransaction(inner)));
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

/**
 * postgres.js, with every query drizzle sends as a named prepared statement. drizzle asks for
 * unnamed statements unless a query is prepared by name, so PostgreSQL would parse and plan
 * the same few dozen statements on every request; prepared per connection, they are planned
 * once (parsing and planning were about a third of PostgreSQL's CPU per request). Transactions and
 * savepoints hand out their own clients, which get the same treatment.
 *
 * Outside a transaction a statement is retried after a transient failure where that is safe;
 * a transaction is retried only if it failed before its work began, and otherwise reported as
 * unavailable (rolled back) or, lost at its commit, as outcome unknown (database-failures.ts).
 * Each goes to the pool of the moment.
 */
const preparing = (pool: Pool): Sql =>
  new Proxy(pool.current(), {
    get(_, property) {
      const target = pool.current();
      if (property === 'unsafe') {
        return (query: string, parameters?: Parameters_, options?: UnsafeOptions) => new RetriedStatement(pool, query, parameters, { ...options, prepare: true });
      }
      if (property === 'begin') {
        return (...args: unknown[]) => {
          const work = args.pop() as (inner: Sql) => unknown;
          return pool.track(runTransaction((stage) => {
            let abandoned = false;
            const transaction = pool.current().begin(...(args as []), async (inner) => {
              // A start given up as stalled may get its connection yet: the work is the retry's to run.
              if (abandoned) throw new Error('This transaction was given up before it began');
              stage.current = 'work';
              // A TransactionSql is an Sql without the pool-wide parts drizzle never touches in a transaction.
              const done: unknown = work(preparingInTransaction(inner as unknown as Sql));
              const result: unknown = await (Array.isArray(done) ? Promise.all(done) : done);
              stage.current = 'commit';
              return result;
            });
            // Only the start is bounded: the work may take as long as it needs.
            return unlessStalled(transaction, pool.stallMs, () => (abandoned = stage.current === 'begin'));
          }, pool.observe));
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

interface ReplaceablePool {
  /** The pool statements go to now. */
  current(): Sql;
  /** Starts a fresh pool for new statements and ends the old one within a few seconds. */
  replace(): void;
  /** Ends the pool (and any replaced one still ending). */
  end(): Promise<void>;
}

/** How long a replaced pool's statements get to finish before its connections are destroyed. */
const drainSeconds = 5;
/** A wedged driver reports itself in bursts (one per connection): replace once per burst. */
const quietMs = 2000;

const live = new Set<ReplaceablePool>();

/** The driver's own bug, as opposed to any other uncaught exception. */
export const isDriverWriteFault = (error: unknown): boolean =>
  error instanceof TypeError &&
  error.message.includes("reading 'write'") &&
  /postgres[/\\](cjs[/\\])?src[/\\]connection\.js/.test(error.stack ?? '') &&
  (error.stack ?? '').includes('nextWrite');

const onUncaught = (error: Error): void => {
  if (isDriverWriteFault(error)) {
    for (const pool of live) pool.replace();
    return;
  }
  // Not ours. With another handler installed, it decides; alone, do what Node does by default.
  if (process.listenerCount('uncaughtException') > 1) return;
  process.removeListener('uncaughtException', onUncaught);
  console.error(error);
  process.exit(1);
};

/** The driver options touched here: the types it learned, and whether new connections ask again. */
interface DriverOptions {
  fetch_types: boolean;
  readonly parsers: Record<string, unknown>;
  readonly serializers: Record<string, unknown>;
  readonly shared: { readonly typeArrayMap: Record<string, unknown> };
}
const optionsOf = (sql: Sql): DriverOptions => sql.options as unknown as DriverOptions;

/**
 * Learns the server's array types on the pool's first connection, then stops each new one from
 * asking again. The driver asks on every new connection, and one that dies while asking (every
 * connection is new after a restart) rejects a promise nobody holds: an unhandled rejection,
 * fatal by default. The types are the server's and do not change while the pool lives.
 */
const learnTypes = (sql: Sql, stopped: () => boolean): void => {
  sql`select 1`.then(
    () => {
      optionsOf(sql).fetch_types = false;
    },
    () => {
      if (!stopped()) setTimeout(() => learnTypes(sql, stopped), 1000).unref();
    },
  );
};

/**
 * A pool from `open`, replaced after the driver wedges. `open` must give equally configured
 * pools; what the first one learned and was given (types, drizzle's parsers) is carried over.
 */
const replaceablePool = (open: () => Sql): ReplaceablePool => {
  const first = open();
  let current = first;
  let replacedAt = 0;
  let ended = false;
  const ending = new Set<Promise<void>>();
  learnTypes(first, () => ended || current !== first);
  const pool: ReplaceablePool = {
    current: () => current,
    replace() {
      if (ended || Date.now() - replacedAt < quietMs) return;
      replacedAt = Date.now();
      const old = current;
      const next = open();
      const learned = optionsOf(first);
      Object.assign(optionsOf(next).parsers, learned.parsers);
      Object.assign(optionsOf(next).serializers, learned.serializers);
      Object.assign(optionsOf(next).shared.typeArrayMap, learned.shared.typeArrayMap);
      if (learned.fetch_types) learnTypes(next, () => ended || current !== next);
      else optionsOf(next).fetch_types = false;
      current = next;
      const drained = old.end({ timeout: drainSeconds }).catch(() => undefined);
      ending.add(drained);
      void drained.then(() => ending.delete(drained));
    },
    async end() {
      ended = true;
      live.delete(pool);
      if (live.size === 0) process.removeListener('uncaughtException', onUncaught);
      await Promise.all([current.end({ timeout: drainSeconds }), ...ending]);
    },
  };
  if (live.size === 0) process.on('uncaughtException', onUncaught);
  live.add(pool);
  return pool;
};

/** A connect that timed out or a statement that stalled: the server away, or the driver wedged; either way a fresh pool does no harm. */
const wedged = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'CONNECT_TIMEOUT' || code === statementStalled;
};

export interface PostgresClient {
  /** What drizzle is given: the pool of the moment, behind the retries. */
  readonly client: postgres.Sql;
  /** The pool of the moment itself, for what runs outside drizzle (migrations, probes). */
  current(): postgres.Sql;
  /** Connections in use by drizzle's statements and transactions, and those waiting for one. */
  usage(): PoolUsage;
  end(): Promise<void>;
}

export interface PoolUsage {
  readonly inUse: number;
  readonly waiting: number;
}

/** Connections in the pool: postgres.js queues what finds them all busy. */
const poolSize = 10;

export interface PostgresClientOptions {
  /** How long a statement, or a transaction's start, may go unanswered before it counts as stalled; 30 s by default. */
  readonly stallMs?: number;
}

/** The client for the server at `url`. */
export const postgresClient = (url: string, options: PostgresClientOptions = {}): PostgresClient => {
  const connections = replaceablePool(() => postgres(url, { max: poolSize, connect_timeout: 10, onnotice: () => undefined, connection: { application_name: 'seam' } }));
  let inFlight = 0;
  const done = (): void => {
    inFlight -= 1;
  };
  const pool: Pool = {
    current: () => connections.current(),
    observe: (error) => {
      if (wedged(error)) connections.replace();
    },
    track: (work) => {
      inFlight += 1;
      void work.then(done, done);
      return work;
    },
    // Far beyond any statement of this code base (milliseconds), short of a client's patience.
    stallMs: options.stallMs ?? 30_000,
  };
  return {
    client: preparing(pool),
    current: pool.current,
    usage: () => ({ inUse: Math.min(inFlight, poolSize), waiting: Math.max(0, inFlight - poolSize) }),
    end: () => connections.end(),
  };
};
