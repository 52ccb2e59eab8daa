/**
 * @module Contracts: the whole public face of a module, as data.
 *
 * A contract declares methods (zod input and output, the errors they may raise, whether a
 * retry is safe) and events (zod payloads). It holds no behaviour. The TypeScript interface
 * that other modules program against is derived from it, so there is no second, hand-written
 * copy to drift; and because it is data, a transport can serve it, validate at the boundary
 * and describe it, without knowing the module behind it.
 */
import type { z } from 'zod';
import type { ErrorSpec } from './errors.js';

/** One method of a contract. Schemas describe data and must not transform it (see README). */
export interface MethodSpec<
  Input extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
> {
  readonly input: Input;
  readonly output: Output;
  /** The domain errors this method may raise, besides the kernel's common ones. */
  readonly errors: readonly ErrorSpec[];
  /** Safe to call twice with the same input: the transport may retry it. */
  readonly idempotent: boolean;
  /** One line for humans and generated docs. */
  readonly summary?: string;
}

/** One event a contract publishes: a past-tense fact with a plain payload. */
export interface EventSpec<Payload extends z.ZodType = z.ZodType> {
  readonly payload: Payload;
  readonly summary?: string;
}

export type MethodMap = Record<string, MethodSpec>;
export type EventMap = Record<string, EventSpec>;

/** A versioned contract. `token` identifies its binding in the container. */
export interface Contract<
  Name extends string = string,
  Methods extends MethodMap = MethodMap,
  Events extends EventMap = EventMap,
> {
  readonly name: Name;
  readonly version: number;
  /** `name/vN`: what a transport routes on and what logs name. */
  readonly id: string;
  readonly methods: Methods;
  readonly events: Events;
  readonly token: symbol;
}

/** Any contract, for code that handles contracts generically (transports, the module host). */
export type AnyContract = Contract<string, MethodMap, EventMap>;

/** The caller-facing interface derived from a contract: one async function per method. */
export type ContractApi<C extends AnyContract> = {
  readonly [K in keyof C['methods']]: (
    input: z.infer<C['methods'][K]['input']>,
  ) => Promise<z.infer<C['methods'][K]['output']>>;
};

/** The input type of one method. */
export type MethodInput<C extends AnyContract, K extends keyof C['methods']> = z.infer<C['methods'][K]['input']>;

/** The output type of one method. */
export type MethodOutput<C extends AnyContract, K extends keyof C['methods']> = z.infer<C['methods'][K]['output']>;

/** The payload type of one event. */
export type EventPayload<C extends AnyContract, K extends keyof C['events']> = z.infer<C['events'][K]['payload']>;

const contractName = /^[a-z][a-z0-9-]*$/;
const memberName = /^[a-zA-Z][a-zA-Z0-9]*$/;

/**
 * Declares a contract.
 *
 * @example
 * export const mailContract = defineContract('mail', 1, {
 *   methods: { getMessage: { input: z.object({ id: z.string() }), output: message, errors: [MessageNotFound], idempotent: true } },
 *   events: { MessageSent: { payload: z.object({ id: z.string() }) } },
 * });
 */
export const defineContract = <
  const Name extends string,
  const Methods extends MethodMap,
  const Events extends EventMap = Record<never, EventSpec>,
>(
  name: Name,
  version: number,
  spec: { readonly methods: Methods; readonly events?: Events },
): Contract<Name, Methods, Events> => {
  if (!contractName.test(name)) throw new Error(`Contract name "${name}" must be lower-case letters, digits and dashes`);
  if (!Number.isInteger(version) || version < 1) throw new Error(`Contract ${name}: version must be a positive integer`);
  const events = (spec.events ?? {}) as Events;
  for (const member of [...Object.keys(spec.methods), ...Object.keys(events)]) {
    if (!memberName.test(member)) throw new Error(`Contract ${name}: "${member}" is not a valid method or event name`);
  }
  const id = `${name}/v${version}`;
  return Object.freeze({ name, version, id, methods: spec.methods, events, token: Symbol.for(`seam.contract:${id}`) });
};
