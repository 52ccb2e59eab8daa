/**
 * @module Events: what a module publishes, who subscribes, and the envelope that travels.
 *
 * Subscriptions are declared as data on the module definition, so a publisher can write one
 * outbox row per subscriber in its own transaction, whether the subscriber runs in this
 * process or another. The handler is registered when the subscribing module is built.
 */
import type { AnyContract, EventPayload } from './contract.js';
import type { Database } from './database.js';

/** An event as it is stored and delivered. Plain data: it crosses process boundaries. */
export interface EventEnvelope<Payload = unknown> {
  /** Unique per publication; consumers record it to ignore redeliveries. */
  readonly id: string;
  /** `contract/vN#EventName`. */
  readonly type: string;
  readonly payload: Payload;
  /** ISO 8601. */
  readonly occurredAt: string;
  /**
   * The W3C traceparent of the call that published the event, when it was published inside
   * one: its handlers run in the same trace, so one trace id follows an order from the HTTP
   * request through every module the event reaches, in process or over a queue.
   */
  readonly traceparent?: string;
}

/** A declared subscription: module M consumes event E of contract C. */
export interface Subscription {
  readonly contract: AnyContract;
  readonly event: string;
  /** `contract/vN#EventName`, what outbox rows and queues are keyed on. */
  readonly type: string;
}

/** The key of an event type. */
export const eventType = (contract: AnyContract, event: string): string => `${contract.id}#${event}`;

/**
 * Declares that a module consumes `event` of `contract`.
 *
 * @example
 * subscribes: [subscription(mailContract, 'MessageSent')],
 */
export const subscription = <C extends AnyContract>(contract: C, event: keyof C['events'] & string): Subscription => {
  if (!(event in contract.events)) throw new Error(`Contract ${contract.id} declares no event ${event}`);
  return { contract, event, type: eventType(contract, event) };
};

/**
 * Handles one event inside the transaction that also records it in the consumer's inbox:
 * the handler's writes and the "processed" mark commit together or not at all.
 */
export type EventHandler<Payload = unknown> = (event: EventEnvelope<Payload>, tx: Database) => Promise<void>;

/** How a handler may be run. */
export interface EventHandlerOptions {
  /**
   * The handler's only effects are its writes through `tx`, so it may share one transaction
   * with the handlers of other events that arrive together (fewer transactions per event).
   * If that transaction fails, each of its events is handled again in a transaction of its
   * own: a call whose writes rolled back is repeated, which only a handler that does nothing
   * outside `tx` (sends no mail, calls no other service) can allow. Default false: one
   * transaction per event.
   */
  readonly shareTransaction?: boolean;
}

/** Registers handlers for the subscriptions a module declared. */
export interface EventHandlers {
  on<C extends AnyContract, E extends keyof C['events'] & string>(contract: C, event: E, handler: EventHandler<EventPayload<C, E>>, options?: EventHandlerOptions): void;
}

/** Publishes the events of the module's own contract. */
export interface EventPublisher<P extends AnyContract> {
  /**
   * Writes `event` to the module's outbox inside `tx`, one row per subscriber, so the event
   * exists exactly when the state change that caused it commits.
   */
  publish<E extends keyof P['events'] & string>(tx: Database, event: E, payload: EventPayload<P, E>): Promise<string>;
}
