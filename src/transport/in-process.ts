/**
 * @module The in-process binding: a contract bound to an implementation in the same process.
 *
 * Without validation the caller gets the implementation's own functions, bound to it, on an
 * object that exposes the contract's methods and nothing else: a call costs what a direct
 * call costs. With validation, inputs and outputs are checked against the contract's zod
 * schemas, so a module that breaks its contract fails in development the way it would fail
 * across a network. While spans are recorded (host/telemetry.ts), each call also runs in a
 * span named as the remote call's, so the monolith's trace has the split's tree of calls.
 */
import type { z } from 'zod';
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import { Internal } from '../kernel/errors.js';
import { contractCallSpan, inSpan, isServing, spansRecorded } from '../kernel/tracing.js';
import { fieldIssues, parseOrThrow } from '../kernel/validation.js';

export interface InProcessOptions {
  /** Check inputs and outputs against the contract's schemas (default: true). */
  readonly validate?: boolean;
}

type Method = (input: unknown) => Promise<unknown>;

/** A bad output is the implementation's bug, not the caller's: INTERNAL, never a 400. */
const checkOutput = (schema: z.ZodType, output: unknown, where: string): unknown => {
  const result = schema.safeParse(output);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  throw Internal.create(`${where} returned output that breaks its contract`, { errors: issues });
};

const traced =
  (span: ReturnType<typeof contractCallSpan>, method: Method): Method =>
  (input) =>
    // Served over RPC, the call has its server span already.
    isServing(span.name) ? method(input) : inSpan(span.name, { attributes: span.attributes }, () => method(input));

/**
 * Binds `implementation` to `contract` for callers in this process.
 *
 * @example
 * const catalog = bindInProcess(catalogContract, new CatalogService(repository), { validate: true });
 */
export const bindInProcess = <C extends AnyContract>(
  contract: C,
  implementation: ContractApi<C>,
  options: InProcessOptions = {},
): ContractApi<C> => {
  const validate = options.validate ?? true;
  const api: Record<string, Method> = {};
  for (const [name, spec] of Object.entries(contract.methods)) {
    const method = (implementation as unknown as Record<string, Method>)[name];
    if (typeof method !== 'function') throw new Error(`${contract.id}: implementation lacks method ${name}`);
    const bound = method.bind(implementation);
    const checked: Method = validate
      ? async (input) => {
          const output = await bound(parseOrThrow(spec.input, input, `${contract.id}.${name} input`));
          return checkOutput(spec.output, output, `${contract.id}.${name}`);
        }
      : bound;
    api[name] = spansRecorded() ? traced(contractCallSpan(contract.id, name), checked) : checked;
  }
  return Object.freeze(api) as unknown as ContractApi<C>;
};

/** A `Binder` for the module host that binds every local module in process. */
export const inProcessBinder =
  (options: InProcessOptions) =>
  <C extends AnyContract>(contract: C, implementation: ContractApi<C>): ContractApi<C> =>
    bindInProcess(contract, implementation, options);
