/**
 * @module The module host: migrates, builds and wires the modules one process runs.
 *
 * Every contract is bound in an inversify container under its token. A module that this
 * process runs is bound to its implementation through a `Binder` (the in-process transport,
 * chosen by the composition root); a contract that runs elsewhere is bound to whatever remote
 * proxy the composition root supplies. Modules only ever see the typed result.
 */
import { Container } from 'inversify';
import type { AppConfig } from './config.js';
import type { AnyContract, ContractApi } from './contract.js';
import type { DatabaseHandle } from './database.js';
import type { Logger } from './logger.js';
import type { AnyModule, ModuleContext } from './module.js';

/** Wraps a local implementation into the API callers get (validation, tracing, ...). */
export type Binder = <C extends AnyContract>(contract: C, implementation: ContractApi<C>) => ContractApi<C>;

export interface ModuleHostOptions {
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  readonly config: AppConfig;
  readonly bind: Binder;
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
    const { database, logger } = this.options;
    for (const module of ordered) {
      await database.migrate({ folder: module.migrations, schema: module.schema });
      logger.debug({ module: module.name }, 'migrations applied');
    }
    for (const module of ordered) {
      this.#container.bind(module.provides.token).toDynamicValue(() => this.#build(module));
    }
    for (const module of ordered) await this.#container.getAsync(module.provides.token);
    this.#modules = ordered;
    logger.info({ modules: ordered.map((module) => module.name) }, 'modules started');
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
      this.#modules.map((module) => this.options.database.pendingMigrations({ folder: module.migrations, schema: module.schema })),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Loads every module's sample data; with `onlyIfEmpty`, skips modules that hold data. */
  async seed(options: { onlyIfEmpty: boolean }): Promise<Record<string, number>> {
    const { database, logger } = this.options;
    const added: Record<string, number> = {};
    for (const module of this.#modules) {
      if (!module.seed) continue;
      if (options.onlyIfEmpty && !(await module.seed.isEmpty(database.db))) continue;
      added[module.name] = await module.seed.run(database.db, logger.child({ module: module.name }));
    }
    return added;
  }

  async #build(module: AnyModule): Promise<unknown> {
    const deps: Record<string, unknown> = {};
    for (const [key, contract] of Object.entries(module.requires)) {
      deps[key] = await this.#container.getAsync(contract.token);
    }
    const context: ModuleContext = {
      name: module.name,
      deps: deps as ModuleContext['deps'],
      db: this.options.database.db,
      logger: this.options.logger.child({ module: module.name }),
      config: this.options.config,
    };
    const implementation = await module.create(context);
    assertImplements(module, implementation);
    return this.options.bind(module.provides, implementation as ContractApi<AnyContract>);
  }
}
