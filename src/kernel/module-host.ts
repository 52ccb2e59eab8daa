/**
 * @module The module host: migrates, builds and wires the modules one process runs.
 *
 * Every contract is bound in an inversify container under its token. A module that this
 * process runs is bound to its implementation through a `Binder` (the in-process transport,
 * chosen by the composition root); a contract that runs elsewhere is bound to whatever remote
 * proxy the composition root supplies. Modules only ever see the typed result.
 */
import { Container } from 'inversify';
import { newSpanId, parseTraceparent, runInCall } from './call-context.js';
import type { AppConfig } from './config.js';
import type { AnyContract, ContractApi } from './contract.js';
import type { DatabaseHandle } from './database.js';
import type { EventEnvelope, EventHandler } from './events.js';
import { eventType } from './events.js';
import type { Logger } from './logger.js';
import type { AnyModule, ModuleContext } from './module.js';
import { consumeOnce, outboxPublisher } from './outbox.js';
import { OutboxRelay, type Deliver, type OutboxRelayOptions } from './outbox-relay.js';

/** Wraps a local implementation into the API callers get (validation, tracing, ...). */
export type Binder = <C extends AnyContract>(contract: C, implementation: ContractApi<C>) => ContractApi<C>;

export interface ModuleHostOptions {
  /** Where the modules keep their data; a process that runs no module (a gateway) has none. */
  readonly database?: DatabaseHandle;
  readonly logger: Logger;
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
  readonly relay?: Pick<OutboxRelayOptions, 'pollIntervalMs' | 'maxAttempts' | 'backoffMs' | 'batchSize'>;
}

/**
 * Orders modules so that every module comes after the local providers of what it requires.
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

/** Event type → the names of the modules subscribed to it. */
const subscriberIndex = (modules: readonly AnyModule[]): Map<string, string[]> => {
  const index = new Map<string, string[]>();
  for (const module of modules) {
    for (const subscription of module.subscribes ?? []) {
      index.set(subscription.type, [...(index.get(subscription.type) ?? []), module.name]);
    }
  }
  return index;
};

const assertImplements = (module: AnyModule, implementation: unknown): void => {
  const missing = Object.keys(module.provides.methods).filter(
    (method) => typeof (implementation as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing.length > 0) {
    throw new Error(`Module ${module.name} does not implement ${module.provides.id}: missing ${missing.join(', ')}`);
  }
};

export class ModuleHost {
  readonly #container = new Container({ defaultScope: 'Singleton' });
  readonly #remote = new Set<string>();
  readonly #handlers = new Map<string, Map<string, EventHandler>>();
  readonly #stopHooks: (() => Promise<void> | void)[] = [];
  #subscribers = new Map<string, string[]>();
  #relay: OutboxRelay | undefined;
  #modules: AnyModule[] = [];

  constructor(private readonly options: ModuleHostOptions) {}

  /** Binds a contract that runs in another process to the proxy that reaches it. */
  useRemote<C extends AnyContract>(contract: C, api: ContractApi<C>): void {
    this.#container.bind<ContractApi<C>>(contract.token).toConstantValue(api);
    this.#remote.add(contract.id);
  }

  /** Migrates every module's schema in dependency order, then builds and binds each module. */
  async start(modules: readonly AnyModule[]): Promise<void> {
    const ordered = orderModules(modules, this.#remote);
    const { logger } = this.options;
    this.#subscribers = subscriberIndex(this.options.allModules ?? modules);
    if (ordered.length === 0) {
      logger.info('no local modules: every contract is remote');
      return;
    }
    const database = this.#database;
    for (const module of ordered) {
      await database.migrate({ folder: module.migrations, schema: module.schema });
      logger.debug({ module: module.name }, 'migrations applied');
    }
    for (const module of ordered) {
      this.#container.bind(module.provides.token).toDynamicValue(() => this.#build(module));
    }
    for (const module of ordered) await this.#container.getAsync(module.provides.token);
    this.#modules = ordered;
    for (const module of ordered) this.#assertHandlersRegistered(module);
    this.#relay = new OutboxRelay({
      db: database.db,
      schemas: ordered.filter((module) => Object.keys(module.provides.events).length > 0).map((module) => module.schema),
      deliver: (subscriber, event) => this.#deliver(subscriber, event),
      logger: logger.child({ component: 'outbox-relay' }),
      ...this.options.relay,
    });
    this.#relay.start();
    logger.info({ modules: ordered.map((module) => module.name) }, 'modules started');
  }

  /** Stops the relay and every module's background work. */
  async stop(): Promise<void> {
    await this.#relay?.stop();
    for (const stop of [...this.#stopHooks].reverse()) await stop();
  }

  /** The outbox relay of this process (to drain in tests, list and replay dead letters). */
  get relay(): OutboxRelay {
    if (!this.#relay) throw new Error('The module host has not started');
    return this.#relay;
  }

  /** The API of a contract, bound locally or remotely. */
  api<C extends AnyContract>(contract: C): ContractApi<C> {
    if (!this.#container.isBound(contract.token)) throw new Error(`No binding for contract ${contract.id}`);
    return this.#container.get<ContractApi<C>>(contract.token);
  }

  /** The modules this host runs, in dependency order. */
  get modules(): readonly AnyModule[] {
    return this.#modules;
  }

  /** How many migrations are not applied yet, over every module this host runs. */
  async pendingMigrations(): Promise<number> {
    const counts = await Promise.all(
      this.#modules.map((module) => this.#database.pendingMigrations({ folder: module.migrations, schema: module.schema })),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Loads every module's sample data; with `onlyIfEmpty`, skips modules that hold data. */
  async seed(options: { onlyIfEmpty: boolean }): Promise<Record<string, number>> {
    const { logger } = this.options;
    const added: Record<string, number> = {};
    for (const module of this.#modules) {
      if (!module.seed) continue;
      const database = this.#database;
      if (options.onlyIfEmpty && !(await module.seed.isEmpty(database.db))) continue;
      added[module.name] = await module.seed.run(database.db, logger.child({ module: module.name }), (contract) => this.api(contract));
    }
    return added;
  }

  #assertHandlersRegistered(module: AnyModule): void {
    const handlers = this.#handlers.get(module.name);
    const missing = (module.subscribes ?? []).filter((subscription) => !handlers?.has(subscription.type));
    if (missing.length > 0) {
      throw new Error(`Module ${module.name} subscribes to ${missing.map((subscription) => subscription.type).join(', ')} but registers no handler`);
    }
  }

  async #deliver(subscriber: string, event: EventEnvelope): Promise<void> {
    if (this.runs(subscriber)) return this.deliverLocal(subscriber, event);
    if (!this.options.deliverRemote) throw new Error(`Subscriber ${subscriber} does not run in this process and no remote delivery is configured`);
    return this.options.deliverRemote(subscriber, event);
  }

  /** True when module `name` runs in this process. */
  runs(name: string): boolean {
    return this.#modules.some((module) => module.name === name);
  }

  /**
   * Hands `event` to local module `subscriber`'s handler, exactly once per event id: what
   * the relay does in process, and what a queue consumer does for events from elsewhere.
   */
  async deliverLocal(subscriber: string, event: EventEnvelope): Promise<void> {
    const module = this.#modules.find((candidate) => candidate.name === subscriber);
    if (!module) throw new Error(`Module ${subscriber} does not run in this process`);
    const handler = this.#handlers.get(subscriber)?.get(event.type);
    if (!handler) throw new Error(`Module ${subscriber} has no handler for ${event.type}`);
    const db = this.#database.db;
    // In the publisher's trace, as a span of its own, so its logs and calls join that trace.
    const trace = parseTraceparent(event.traceparent);
    if (trace === undefined) await consumeOnce(db, module.schema, event, handler);
    else await runInCall({ traceId: trace.traceId, spanId: newSpanId() }, () => consumeOnce(db, module.schema, event, handler));
  }

  get #database(): DatabaseHandle {
    if (!this.options.database) throw new Error('This process runs modules but was given no database');
    return this.options.database;
  }

  async #build(module: AnyModule): Promise<unknown> {
    const deps: Record<string, unknown> = {};
    for (const [key, contract] of Object.entries(module.requires)) {
      deps[key] = await this.#container.getAsync(contract.token);
    }
    const declared = new Set((module.subscribes ?? []).map((subscription) => subscription.type));
    const handlers = new Map<string, EventHandler>();
    this.#handlers.set(module.name, handlers);
    const context: ModuleContext = {
      name: module.name,
      deps: deps as ModuleContext['deps'],
      db: this.#database.db,
      logger: this.options.logger.child({ module: module.name }),
      config: this.options.config,
      events: outboxPublisher({
        contract: module.provides,
        schema: module.schema,
        subscribersOf: (type) => this.#subscribers.get(type) ?? [],
        onPublished: () => this.#relay?.nudge(),
      }),
      on: (contract, event, handler) => {
        const type = eventType(contract, event);
        if (!declared.has(type)) throw new Error(`Module ${module.name} handles ${type} but does not declare it in subscribes`);
        if (handlers.has(type)) throw new Error(`Module ${module.name} handles ${type} twice`);
        handlers.set(type, handler as EventHandler);
      },
      onStop: (stop) => {
        this.#stopHooks.push(stop);
      },
    };
    const implementation = await module.create(context);
    assertImplements(module, implementation);
    return this.options.bind(module.provides, implementation as ContractApi<AnyContract>);
  }
}
