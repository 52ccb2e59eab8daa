/**
 * @module Modules: one bounded context each, declared as data the host can wire.
 *
 * A module says which contract it provides, which contracts it requires (by a local name of
 * its choosing), where its schema and migrations are, and how to build its implementation
 * from typed dependencies. It never reaches into the container itself: the host resolves
 * what it declared and hands it over.
 */
import type { AppConfig } from './config.js';
import type { AnyContract, ContractApi } from './contract.js';
import type { Database } from './database.js';
import type { EventHandlers, EventPublisher, Subscription } from './events.js';
import type { Logger } from './logger.js';

/** Contracts a module requires, by the name it will use for each. */
export type Requirements = Record<string, AnyContract>;

/** The typed APIs of a module's requirements, as its factory receives them. */
export type Dependencies<R extends Requirements> = { readonly [K in keyof R]: ContractApi<R[K]> };

/** What a module's factory gets to build its implementation. */
export interface ModuleContext<R extends Requirements = Requirements, P extends AnyContract = AnyContract> {
  readonly name: string;
  readonly deps: Dependencies<R>;
  readonly db: Database;
  readonly logger: Logger;
  readonly config: AppConfig;
  /** Publishes the events of the module's own contract through its outbox. */
  readonly events: EventPublisher<P>;
  /** Registers the handler of each subscription the module declared. */
  readonly on: EventHandlers['on'];
  /** Runs `stop` at shutdown (background work, timers), before the database closes. */
  onStop(stop: () => Promise<void> | void): void;
}

/** Sample data a module can load into an empty database (`npm run seed`, and dev start). */
export interface ModuleSeed {
  isEmpty(db: Database): Promise<boolean>;
  /**
   * Loads the sample data idempotently; returns how many rows it added. `resolve` reaches
   * other modules' contracts (seeds run in module order, after every module has started).
   */
  run(db: Database, logger: Logger, resolve: ContractResolver): Promise<number>;
}

/** The API of any contract bound in this process, locally or remotely. */
export type ContractResolver = <C extends AnyContract>(contract: C) => ContractApi<C>;

export interface ModuleDefinition<P extends AnyContract, R extends Requirements> {
  readonly name: string;
  readonly provides: P;
  readonly requires: R;
  /** The PostgreSQL schema that holds every table of this module, and nothing else. */
  readonly schema: string;
  /** Absolute path of the module's drizzle-kit migrations folder. */
  readonly migrations: string;
  readonly seed?: ModuleSeed;
  /** Events of other contracts this module consumes; each needs a handler from `on`. */
  readonly subscribes?: readonly Subscription[];
  create(context: ModuleContext<R, P>): ContractApi<P> | Promise<ContractApi<P>>;
}

/** Any module, as generic code (the host, the composition root) holds it. */
export interface AnyModule {
  readonly name: string;
  readonly provides: AnyContract;
  readonly requires: Requirements;
  readonly schema: string;
  readonly migrations: string;
  readonly seed?: ModuleSeed;
  readonly subscribes?: readonly Subscription[];
  create(context: ModuleContext): unknown;
}

const identifier = /^[a-z][a-z0-9_]*$/;

/**
 * Declares a module.
 *
 * @example
 * export const catalogModule = defineModule({
 *   name: 'catalog', provides: catalogContract, requires: {}, schema: 'catalog',
 *   migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
 *   create: ({ db }) => new CatalogService(new ProductRepository(db)),
 * });
 */
export const defineModule = <P extends AnyContract, R extends Requirements>(
  definition: ModuleDefinition<P, R>,
): ModuleDefinition<P, R> => {
  if (!identifier.test(definition.name)) throw new Error(`Module name "${definition.name}" must be a lower-case identifier`);
  if (!identifier.test(definition.schema)) throw new Error(`Module ${definition.name}: schema "${definition.schema}" must be a lower-case identifier`);
  return Object.freeze(definition);
};
