/**
 * @module The module host: starts, wires and stops the modules one process runs.
 *
 * It sorts the modules by what they require, parses each one's settings, migrates their
 * schemas (module-data.ts), builds each from its context and binds its contract; events and
 * their relay live in module-events.ts. A module that this process runs is bound to its
 * implementation through a `Binder` (the in-process transport, chosen by the composition
 * root); a contract that runs elsewhere is bound to whatever remote proxy the composition root
 * supplies. Modules only ever see the typed result.
 */
import { Container } from 'inversify';
import { accessTokens } from './access-token.js';
import type { AppConfig } from './config.js';
import type { AnyContract, ContractApi } from './contract.js';
import type { DatabaseHandle } from './database.js';
import type { EventEnvelope } from './events.js';
import type { Logger } from './logger.js';
import type { AnyModule, ModuleContext, ModuleRuntime } from './module.js';
import { migrateModules, pendingMigrations, seedModules } from './module-data.js';
import { ModuleEvents, type RelayTuning } from './module-events.js';
import { readModuleSettings } from './module-settings.js';
import type { Deliver, OutboxRelay } from './outbox-relay.js';

/** Wraps a local implementation into the API callers get (validation, tracing, ...). */
export type Binder = <C extends AnyContract>(contract: C, implementation: ContractApi<C>) => ContractApi<C>;

export interface ModuleHostOptions {
  /** Where the modules keep their data; a process that runs no module (a gateway) has none. */
  readonly database?: DatabaseHandle;
  readonly logger: Logger;
  /** The framework's configuration; each module's own settings are read from its `environment`. */
  readonly config: AppConfig;
  readonly bind: Binder;
  /**
   * Every module of the deployment, including those other processes run: publishers write an
   * outbox row for each subscriber wherever it runs. Defaults to the modules started here.
   */
  readonly allModules?: readonly AnyModule[];
  /** Delivers events to subscribers that run elsewhere (a queue); unset in a monolith. */
  readonly deliverRemote?: Deliver;
  /** Tuning for the outbox relay (poll interval, attempts, backoff). */
  readonly relay?: RelayTuning;
}

/**
 * Sorts modules so that every module comes after the local providers of what it requires.
 * Throws on a cycle, on a contract provided twice, and on a requirement nobody provides.
 */
export const orderModules = (modules: readonly AnyModule[], remoteContracts: ReadonlySet<string> = new Set()): AnyModule[] => {
  const providers = new Map<string, AnyModule>();
  for (const module of modules) {
    const existing = providers.get(module.provides.id);
    if (existing) throw new Error(`Contract ${module.provides.id} is provided by both ${existing.name} and ${module.name}`);
    providers.set(module.provides.id, module);
  }
  const ordered: AnyModule[] = [];
  const state = new Map<AnyModule, 'visiting' | 'done'>();
  const visit = (module: AnyModule, path: readonly string[]): void => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'visiting') throw new Error(`Modules require each other in a cycle: ${[...path, module.name].join(' -> ')}`);
    state.set(module, 'visiting');
    for (const contract of Object.values(module.requires)) {
      const provider = providers.get(contract.id);
      if (provider) visit(provider, [...path, module.name]);
      else if (!remoteContracts.has(contract.id)) {
        throw new Error(`Module ${module.name} requires ${contract.id}, which no module in this process provides and no remote binding serves`);
      }
    }
    state.set(module, 'done');
    ordered.push(module);
  };
  for (const module of modules) visit(module, []);
  return ordered;
};

const assertImplements = (module: AnyModule, implementation: unknown): void => {
  const missing = Object.keys(module.provides.methods).filter(
    (method) => typeof (implementation as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing.length > 0) {
    throw new Error(`Module ${module.name} does not implement ${module.provides.id}: missing ${missing.join(', ')}`);
  }
};

/** What the host shares among the modules it builds: each takes its own share in `#build`. */
interface HostParts {
  readonly database: DatabaseHandle;
  readonly events: ModuleEvents;
  readonly settings: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  readonly runtime: ModuleRuntime;
}

export class ModuleHost {
  /**
   * Every contract this process reaches, under its token: built here, or a remote proxy.
   * inversify resolves a module's requirements from it and injects them into the module's
   * factory, building each implementation once, so where a dependency comes from is decided
   * by its binding alone. Modules stay plain factories of a context; they never see the
   * container, so a child container of their own would have nothing to resolve.
   */
  readonly #contracts = new Container({ defaultScope: 'Singleton' });
  readonly #remote = new Set<string>();
  readonly #stopHooks: (() => Promise<void> | void)[] = [];
  #events: ModuleEvents | undefined;
  #modules: readonly AnyModule[] = [];

  constructor(private readonly options: ModuleHostOptions) {}

  /** Binds a contract that runs in another process to the proxy that reaches it. */
  useRemote<C extends AnyContract>(contract: C, api: ContractApi<C>): void {
    this.#contracts.bind<ContractApi<C>>(contract.token).toConstantValue(api);
    this.#remote.add(contract.id);
  }

  /**
   * Checks every module's settings, migrates every module's schema in dependency order, then
   * builds and binds each module and starts relaying their events.
   *
   * @throws ConfigError naming every invalid module setting, before any migration runs.
   */
  async start(modules: readonly AnyModule[]): Promise<void> {
    const { config, logger } = this.options;
    const ordered = orderModules(modules, this.#remote);
    const settings = readModuleSettings(ordered, config.environment);
    if (ordered.length === 0) {
      logger.info('no local modules: every contract is remote');
      return;
    }
    const database = this.#database;
    await migrateModules(database, ordered, logger);
    const events = new ModuleEvents({
      db: database.db,
      local: ordered,
      deployment: this.options.allModules ?? modules,
      deliverRemote: this.options.deliverRemote,
      relay: this.options.relay,
      logger,
    });
    this.#events = events;
    const runtime: ModuleRuntime = { env: config.env, accessTokens: accessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds) };
    for (const module of ordered) this.#bindLocal(module, { database, events, settings, runtime });
    for (const module of ordered) await this.#contracts.getAsync(module.provides.token);
    this.#modules = ordered;
    events.assertEveryHandlerRegistered();
    events.relay.start();
    logger.info({ modules: ordered.map((module) => module.name) }, 'modules started');
  }

  /** Stops the relay and every module's background work. */
  async stop(): Promise<void> {
    await this.#events?.relay.stop();
    for (const stop of [...this.#stopHooks].reverse()) await stop();
  }

  /** The outbox relay of this process (to drain in tests, list and replay dead letters). */
  get relay(): OutboxRelay {
    if (!this.#events) throw new Error('The module host has not started');
    return this.#events.relay;
  }

  /** The API of a contract, bound locally or remotely. */
  api<C extends AnyContract>(contract: C): ContractApi<C> {
    if (!this.#contracts.isBound(contract.token)) throw new Error(`No binding for contract ${contract.id}`);
    return this.#contracts.get<ContractApi<C>>(contract.token);
  }

  /** The modules this host runs, in dependency order. */
  get modules(): readonly AnyModule[] {
    return this.#modules;
  }

  /** True when module `name` runs in this process. */
  runs(name: string): boolean {
    return this.#modules.some((module) => module.name === name);
  }

  /** How many migrations are not applied yet, over every module this host runs. */
  async pendingMigrations(): Promise<number> {
    return this.#modules.length === 0 ? 0 : pendingMigrations(this.#database, this.#modules);
  }

  /**
   * Loads every module's sample data; with `onlyIfEmpty`, skips modules that hold data and
   * refuses (SeedRefusedError) an empty one that other modules' data refers to.
   */
  async seed(options: { onlyIfEmpty: boolean }): Promise<Record<string, number>> {
    if (this.#modules.length === 0) return {};
    return seedModules(this.#database, this.#modules, {
      ...options,
      resolve: (contract) => this.api(contract),
      deployment: this.options.allModules ?? this.#modules,
      logger: this.options.logger,
    });
  }

  /**
   * Hands `event` to local module `subscriber`'s handler, exactly once per event id: what
   * the relay does in process, and what a queue consumer does for events from elsewhere.
   */
  async deliverLocal(subscriber: string, event: EventEnvelope): Promise<void> {
    if (!this.#events) throw new Error(`Module ${subscriber} does not run in this process`);
    return this.#events.deliverLocal(subscriber, event);
  }

  get #database(): DatabaseHandle {
    if (!this.options.database) throw new Error('This process runs modules but was given no database');
    return this.options.database;
  }

  /** Binds `module`'s contract to its factory; inversify calls it with the APIs of what the module requires. */
  #bindLocal(module: AnyModule, parts: HostParts): void {
    const requirements = Object.entries(module.requires);
    this.#contracts.bind(module.provides.token).toResolvedValue(
      (...apis: unknown[]) => this.#build(module, Object.fromEntries(requirements.map(([name], index) => [name, apis[index]])), parts),
      requirements.map(([, contract]) => contract.token),
    );
  }

  async #build(module: AnyModule, deps: Record<string, unknown>, { database, events, settings, runtime }: HostParts): Promise<unknown> {
    const context: ModuleContext = {
      name: module.name,
      deps: deps as ModuleContext['deps'],
      db: database.db,
      logger: this.options.logger.child({ module: module.name }),
      settings: settings.get(module.name) ?? {},
      runtime,
      events: events.publisherFor(module),
      on: events.handlersFor(module),
      onStop: (stop) => {
        this.#stopHooks.push(stop);
      },
    };
    const implementation = await module.create(context);
    assertImplements(module, implementation);
    return this.options.bind(module.provides, implementation as ContractApi<AnyContract>);
  }
}
