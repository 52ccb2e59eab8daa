/**
 * @module Fault injection for module tests: wraps the API a module gets for one of its
 * dependencies so that chosen calls fail, refuse, hang or do something around the real call,
 * and records every call that went through, to count them afterwards.
 *
 * @example
 * const faults = new FaultInjector();
 * const orders = defineModule({
 *   ...ordersModule,
 *   create: (context) => ordersModule.create({ ...context, deps: { ...context.deps, shipping: faults.wrap(shippingContract, context.deps.shipping) } }),
 * });
 * faults.inject(shippingContract, 'createShipment', { times: 2, run: unavailable('shipping') });
 */
import type { AnyContract, ContractApi, MethodInput, MethodOutput } from '../../src/kernel/contract.js';
import { SeamError } from '../../src/kernel/errors.js';

type MethodName<C extends AnyContract> = keyof C['methods'] & string;

/** What one fault does with the calls it matches. */
export interface FaultRule<C extends AnyContract, M extends MethodName<C>> {
  /** Which calls the rule applies to; every call by default. */
  readonly when?: (input: MethodInput<C, M>) => boolean;
  /** How many matching calls it applies to; all of them by default, until removed. */
  readonly times?: number;
  /** Runs instead of the call; `proceed` makes the real call. */
  readonly run: (input: MethodInput<C, M>, proceed: () => Promise<MethodOutput<C, M>>) => Promise<MethodOutput<C, M>>;
}

/** A fault in place: how often it struck, and how to take it away. */
export interface InjectedFault {
  readonly hits: number;
  remove(): void;
}

interface ActiveRule {
  readonly contract: string;
  readonly method: string;
  readonly when: (input: unknown) => boolean;
  remaining: number;
  hits: number;
  readonly run: (input: unknown, proceed: () => Promise<unknown>) => Promise<unknown>;
}

type Method = (input: unknown) => Promise<unknown>;

export class FaultInjector {
  readonly #calls: { contract: string; method: string; input: unknown }[] = [];
  #rules: ActiveRule[] = [];

  /** Makes the matching calls of `contract.method` run `rule.run` instead; the first matching rule wins. */
  inject<C extends AnyContract, M extends MethodName<C>>(contract: C, method: M, rule: FaultRule<C, M>): InjectedFault {
    const active: ActiveRule = {
      contract: contract.id,
      method,
      when: (rule.when ?? (() => true)) as (input: unknown) => boolean,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      hits: 0,
      run: rule.run as ActiveRule['run'],
    };
    this.#rules.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        this.#rules = this.#rules.filter((candidate) => candidate !== active);
      },
    };
  }

  /** Removes every fault. */
  clear(): void {
    this.#rules = [];
  }

  /** The inputs of every call made to `contract.method` through a wrapped API, oldest first. */
  calls<C extends AnyContract, M extends MethodName<C>>(contract: C, method: M, when: (input: MethodInput<C, M>) => boolean = () => true): MethodInput<C, M>[] {
    return this.#calls
      .filter((call) => call.contract === contract.id && call.method === method)
      .map((call) => call.input as MethodInput<C, M>)
      .filter(when);
  }

  /** `api` with this injector's faults applied and its calls recorded. */
  wrap<C extends AnyContract>(contract: C, api: ContractApi<C>): ContractApi<C> {
    const wrapped: Record<string, Method> = {};
    for (const method of Object.keys(contract.methods)) {
      const real = (api as unknown as Record<string, Method>)[method]!;
      wrapped[method] = async (input) => {
        this.#calls.push({ contract: contract.id, method, input });
        const rule = this.#rules.find((candidate) => candidate.contract === contract.id && candidate.method === method && candidate.remaining > 0 && candidate.when(input));
        if (!rule) return real(input);
        rule.remaining -= 1;
        rule.hits += 1;
        return rule.run(input, () => real(input));
      };
    }
    return Object.freeze(wrapped) as unknown as ContractApi<C>;
  }
}

/** A fault that answers 503 SERVICE_UNAVAILABLE, as a dependency that is down would. */
export const unavailable =
  (what: string) =>
  async (): Promise<never> => {
    throw new SeamError('SERVICE_UNAVAILABLE', 'unavailable', `${what} is unavailable (injected fault)`);
  };

/** A fault that refuses the call with `error` (a 4xx SeamError: the other side said no). */
export const refuse =
  (error: SeamError) =>
  async (): Promise<never> => {
    throw error;
  };

/**
 * A place where calls stop until the test opens it (they go on) or fails it (they throw):
 * a process that froze mid-call, for as long as the test wants.
 */
export class Gate {
  #open!: () => void;
  #fail!: (error: unknown) => void;
  #arrive!: () => void;
  readonly #opened = new Promise<void>((resolve, reject) => {
    this.#open = resolve;
    this.#fail = reject;
  });
  /** Resolves once a call has reached the gate. */
  readonly reached = new Promise<void>((resolve) => {
    this.#arrive = resolve;
  });

  constructor() {
    // Failing a gate nobody waits at is not an error.
    this.#opened.catch(() => undefined);
  }

  /** Waits at the gate. */
  async pass(): Promise<void> {
    this.#arrive();
    await this.#opened;
  }

  open(): void {
    this.#open();
  }

  fail(error: unknown): void {
    this.#fail(error);
  }
}
