/**
 * @module Events among the modules of one host: who subscribes to what, each module's
 * handlers, the outbox relay, and where each delivery goes (a local handler, or a queue).
 */
import { activeOrRemoteParent, remoteParent } from './call-context.js';
import { inSpan, linkTo, SpanKind } from './tracing.js';
import type { AnyContract } from './contract.js';
import type { Database } from './database.js';
import { eventType, type EventEnvelope, type EventHandler, type EventHandlers, type EventPublisher } from './events.js';
import { consumeOnce, InboxBatcher } from './inbox.js';
import type { Logger } from './logger.js';
import type { AnyModule } from './module.js';
import { outboxPublisher } from './outbox.js';
import { OutboxRelay, type Deliver, type OutboxRelayOptions } from './outbox-relay.js';

/** Tuning for the outbox relay (poll interval, attempts, backoff). */
export type RelayTuning = Pick<OutboxRelayOptions, 'pollIntervalMs' | 'maxAttempts' | 'backoffMs' | 'batchSize'>;

export interface ModuleEventsOptions {
  readonly db: Database;
  /** The modules this process runs: their outboxes are relayed, their handlers called here. */
  readonly local: readonly AnyModule[];
  /** Every module of the deployment: a publisher writes one outbox row per subscriber, wherever it runs. */
  readonly deployment: readonly AnyModule[];
  /** Delivers events to subscribers that run elsewhere (a queue); unset in a monolith. */
  readonly deliverRemote?: Deliver;
  readonly relay?: RelayTuning;
  readonly logger: Logger;
}

/** Event type → the names of the modules subscribed to it. */
const subscriberIndex = (modules: readonly AnyModule[]): ReadonlyMap<string, readonly string[]> => {
  const index = new Map<string, string[]>();
  for (const module of modules) {
    for (const subscription of module.subscribes ?? []) {
      index.set(subscription.type, [...(index.get(subscription.type) ?? []), module.name]);
    }
  }
  return index;
};

/** A registered handler, and its module's inbox batcher when it shares transactions. */
interface Registered {
  readonly handler: EventHandler;
  readonly batcher?: InboxBatcher;
}

export class ModuleEvents {
  readonly #subscribers: ReadonlyMap<string, readonly string[]>;
  /** The modules that run in this process, by name. */
  readonly #local: ReadonlyMap<string, AnyModule>;
  /** Module name → event type → its handler. */
  readonly #handlers = new Map<string, Map<string, Registered>>();
  readonly #relay: OutboxRelay;

  constructor(private readonly options: ModuleEventsOptions) {
    this.#subscribers = subscriberIndex(options.deployment);
    this.#local = new Map(options.local.map((module) => [module.name, module]));
    this.#relay = new OutboxRelay({
      db: options.db,
      schemas: options.local.filter((module) => Object.keys(module.provides.events).length > 0).map((module) => module.schema),
      deliver: (subscriber, event) => this.#deliver(subscriber, event),
      gathers: (subscriber, type) => this.#gathers(subscriber, type),
      logger: options.logger.child({ component: 'outbox-relay' }),
      ...options.relay,
    });
  }

  /** The relay that delivers what the local modules publish (drain it in tests, replay dead letters). */
  get relay(): OutboxRelay {
    return this.#relay;
  }

  /** Publishes `module`'s own events through its outbox, one row per subscriber, then nudges the relay. */
  publisherFor<P extends AnyContract>(module: AnyModule & { readonly provides: P }): EventPublisher<P> {
    return outboxPublisher({
      contract: module.provides,
      schema: module.schema,
      subscribersOf: (type) => this.#subscribers.get(type) ?? [],
      onPublished: () => this.#relay.nudge(),
    });
  }

  /** The `on` that `module` registers its handlers with: each declared subscription, once. */
  handlersFor(module: AnyModule): EventHandlers['on'] {
    const declared = new Set((module.subscribes ?? []).map((subscription) => subscription.type));
    const handlers = new Map<string, Registered>();
    this.#handlers.set(module.name, handlers);
    /** The module's inbox batcher, made for its first handler that shares transactions. */
    let batcher: InboxBatcher | undefined;
    return (contract, event, handler, options = {}) => {
      const type = eventType(contract, event);
      if (!declared.has(type)) throw new Error(`Module ${module.name} handles ${type} but does not declare it in subscribes`);
      if (handlers.has(type)) throw new Error(`Module ${module.name} handles ${type} twice`);
      if (options.shareTransaction) batcher ??= new InboxBatcher({ db: this.options.db, schema: module.schema });
      handlers.set(type, options.shareTransaction ? { handler: handler as EventHandler, batcher } : { handler: handler as EventHandler });
    };
  }

  /** Refuses to run a local module that declared a subscription but registered no handler for it. */
  assertEveryHandlerRegistered(): void {
    for (const module of this.options.local) {
      const handlers = this.#handlers.get(module.name);
      const missing = (module.subscribes ?? []).filter((subscription) => !handlers?.has(subscription.type));
      if (missing.length > 0) {
        throw new Error(`Module ${module.name} subscribes to ${missing.map((subscription) => subscription.type).join(', ')} but registers no handler`);
      }
    }
  }

  /**
   * Hands `event` to local module `subscriber`'s handler, exactly once per event id: what
   * the relay does in process, and what a queue consumer does for events from elsewhere.
   */
  async deliverLocal(subscriber: string, event: EventEnvelope): Promise<void> {
    const module = this.#local.get(subscriber);
    if (!module) throw new Error(`Module ${subscriber} does not run in this process`);
    const registered = this.#handlers.get(subscriber)?.get(event.type);
    if (!registered) throw new Error(`Module ${subscriber} has no handler for ${event.type}`);
    const { handler, batcher } = registered;
    const { db } = this.options;
    // A span of the publisher's trace: under the relay's or the queue job's span when one is
    // active, else under the span that published the event; linked to that span either way.
    const published = remoteParent(event.traceparent);
    const parent = activeOrRemoteParent(event.traceparent);
    const attributes = { 'messaging.operation.type': 'process', 'messaging.destination.name': module.name, 'messaging.message.id': event.id };
    await inSpan(`handle ${event.type}`, { kind: SpanKind.CONSUMER, parent, links: linkTo(published), attributes }, () =>
      batcher ? batcher.consume(event, handler) : consumeOnce(db, module.schema, event, handler),
    );
  }

  /**
   * Whether deliveries of `type` to `subscriber` started together travel together: into a
   * local inbox shared by handlers that allow it, or onto a queue that gathers its adds.
   */
  #gathers(subscriber: string, type: string): boolean {
    if (this.#local.has(subscriber)) return this.#handlers.get(subscriber)?.get(type)?.batcher !== undefined;
    return this.options.deliverRemote?.gathers === true;
  }

  async #deliver(subscriber: string, event: EventEnvelope): Promise<void> {
    if (this.#local.has(subscriber)) return this.deliverLocal(subscriber, event);
    if (!this.options.deliverRemote) throw new Error(`Subscriber ${subscriber} does not run in this process and no remote delivery is configured`);
    return this.options.deliverRemote(subscriber, event);
  }
}
