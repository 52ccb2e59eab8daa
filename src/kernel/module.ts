/**
 * @module Modules: one bounded context each, declared as data the host can wire.
 *
 * A module says which contract it provides, which contracts it requires (by a local name of
 * its choosing), where its schema and migrations are, and how to build its implementation
 * from typed dependencies and its own settings. It never reaches into the container or the
 * environment itself: the host resolves what it declared and hands it over.
 */
import type { z } from 'zod';
import type { AccessTokens } from './access-token.js';
import type { AppConfig } from './config.js';
import type { AnyContract, ContractApi } from './contract.js';
import type { Database } from './database.js';
import type { EventHandlers, EventPublisher, Subscription } from './events.js';
import type { Logger } from './logger.js';
import { assertSettingsNamed, type ModuleSettings } from './module-settings.js';

/** Contracts a module requires, by the name it will use for each. */
export type Requirements = Record<string, AnyContract>;

/** The typed APIs of a module's requirements, as its factory receives them. */
export type Dependencies<R extends Requirements> = { readonly [K in keyof R]: ContractApi<R[K]> };

/**
 * What every module may know of the process it runs in, besides its own settings. Modules get
 * this rather than the whole configuration: database URLs, secrets and the deployment's
 * layout are the framework's business.
 */
export interface ModuleRuntime {
  /** `production` switches on the cautions that matter once real users are served. */
  readonly env: AppConfig['env'];
  /**
   * Issues (and checks) the access tokens the public edge accepts. A module gets the signer,
   * never the key (JWT_SECRET), which the kernel shares with the edge alone.
   */
  readonly accessTokens: AccessTokens;
}

/** What a module's factory gets to build its implementation. */
export interface ModuleContext<R extends Requirements = Requirements, P extends AnyContract = AnyContract, S = Readonly<Record<string, unknown>>> {
  readonly name: string;
  readonly deps: Dependencies<R>;
  readonly db: Database;
  readonly logger: Logger;
  /** The module's own settings, parsed from the variables under its prefix at start. */
  readonly settings: S;
  readonly runtime: ModuleRuntime;
  /** Publishes the events of the module's own contract through its outbox. */
  readonly events: EventPublisher<P>;
  /** Registers the handler of each subscription the module declared. */
  readonly on: EventHandlers['on'];
  /** Runs `stop` at shutdown (background work, timers), before the database closes. */
  onStop(stop: () => Promise<void> | void): void;
}

/** Sample data a module can load into an empty database (`npm run seed`, and dev start). */
export interface ModuleSeed {
  /**
   * Other modules' contracts `run` resolves, and no others (resolving one not listed throws).
   * In a split deployment they are calls to other services, which allow only what is declared.
   */
  readonly requires?: readonly AnyContract[];
  isEmpty(db: Database): Promise<boolean>;
  /**
   * Loads the sample data idempotently; returns how many rows it added. `resolve` reaches
   * the contracts of `requires` (seeds run in module order, after every module has started).
   */
  run(db: Database, logger: Logger, resolve: ContractResolver): Promise<number>;
}

/** The API of any contract bound in this process, locally or remotely. */
export type ContractResolver = <C extends AnyContract>(contract: C) => ContractApi<C>;

/** The settings schema of a module that declares none: its `context.settings` is empty. */
type NoSettingsSchema = z.ZodObject<Record<string, never>>;

export interface ModuleDefinition<P extends AnyContract, R extends Requirements, S extends z.ZodObject = NoSettingsSchema> {
  readonly name: string;
  readonly provides: P;
  readonly requires: R;
  /** The PostgreSQL schema that holds every table of this module, and nothing else. */
  readonly schema: string;
  /** Absolute path of the module's drizzle-kit migrations folder. */
  readonly migrations: string;
  /** The module's own environment variables (a prefix and a schema); `context.settings` holds them parsed. */
  readonly settings?: ModuleSettings<S>;
  readonly seed?: ModuleSeed;
  /** Events of other contracts this module consumes; each needs a handler from `on`. */
  readonly subscribes?: readonly Subscription[];
  create(context: ModuleContext<R, P, z.output<S>>): ContractApi<P> | Promise<ContractApi<P>>;
}

/** Any module, as generic code (the host, the composition root) holds it. */
export interface AnyModule {
  readonly name: string;
  readonly provides: AnyContract;
  readonly requires: Requirements;
  readonly schema: string;
  readonly migrations: string;
  readonly settings?: ModuleSettings;
  readonly seed?: ModuleSeed;
  readonly subscribes?: readonly Subscription[];
  create(context: ModuleContext): unknown;
}

const identifier = /^[a-z][a-z0-9_]*$/;

/** Whether `name` may name a module (and its PostgreSQL schema): a lower-case identifier. */
export const isModuleName = (name: string): boolean => identifier.test(name);

/**
 * Declares a module.
 *
 * @example
 * export const mailModule = defineModule({
 *   name: 'mail', provides: mailContract, requires: {}, schema: 'mail',
 *   migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
 *   settings: { prefix: 'MAIL_', schema: z.object({ MAIL_RETRY_SECONDS: seconds(1).default(60) }) },
 *   create: ({ db, settings }) => new MailService(new MessageRepository(db), settings.MAIL_RETRY_SECONDS),
 * });
 */
export const defineModule = <P extends AnyContract, R extends Requirements, S extends z.ZodObject = NoSettingsSchema>(
  definition: ModuleDefinition<P, R, S>,
): ModuleDefinition<P, R, S> => {
  if (!identifier.test(definition.name)) throw new Error(`Module name "${definition.name}" must be a lower-case identifier`);
  if (!identifier.test(definition.schema)) throw new Error(`Module ${definition.name}: schema "${definition.schema}" must be a lower-case identifier`);
  if (definition.settings) assertSettingsNamed(definition.name, definition.settings);
  return Object.freeze(definition);
};
