/**
 * @module The server side of the HTTP binding: every method of every served contract as
 * `POST /rpc/<contract>/v<major>/<method>` on hono.
 *
 * Each call is checked in this order: a genuine service credential (401), the deadline the
 * caller still has (504 once it has passed), the input against the contract's schema (400;
 * fields this version does not know are dropped, so a newer minor's caller keeps working),
 * then the method runs in the caller's trace and deadline, and its output is checked too.
 */
import { Hono, type Context } from 'hono';
import type { AnyContract, ContractApi } from '../../kernel/contract.js';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, runInCall, type CallContext } from '../../kernel/call-context.js';
import { DeadlineExceeded, defineError, Internal, toSeamError, validationFailed, type SeamError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { fieldIssues, parseOrThrow } from '../../kernel/validation.js';
import type { ServiceCredentials } from './service-credential.js';
import { headers, methodPath, rpcPrefix, type ErrorBody } from './wire.js';

export const UnknownContract = defineError('UNKNOWN_CONTRACT', 404, 'This service does not serve that contract');
export const UnknownContractVersion = defineError('UNKNOWN_CONTRACT_VERSION', 404, 'This service does not serve that major version');
export const UnknownMethod = defineError('UNKNOWN_METHOD', 404, 'The contract has no such method');

export interface ServedContract {
  readonly contract: AnyContract;
  readonly api: ContractApi<AnyContract>;
}

export interface RpcServerOptions {
  readonly served: readonly ServedContract[];
  readonly credentials: ServiceCredentials;
  readonly logger: Logger;
}

type Method = (input: unknown) => Promise<unknown>;

const errorResponse = (c: Context, error: SeamError): Response => c.json({ error: error.toJSON() } satisfies ErrorBody, error.status as 400);

/** Rejects once `deadline` passes; the method's promise is abandoned, its result unwanted. */
const withinDeadline = <T>(work: Promise<T>, deadline: number | undefined): Promise<T> => {
  if (deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(DeadlineExceeded.create('The caller’s deadline passed while the method ran')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
};

const callContextOf = (c: Context): CallContext => {
  const parent = parseTraceparent(c.req.header(headers.traceparent));
  const timeout = Number(c.req.header(headers.timeout));
  return {
    traceId: parent?.traceId ?? newTraceId(),
    spanId: newSpanId(),
    ...(Number.isFinite(timeout) ? { deadline: Date.now() + timeout } : {}),
  };
};

export const rpcServer = (options: RpcServerOptions): Hono => {
  const app = new Hono();
  const byName = new Map(options.served.map((served) => [served.contract.name, served]));

  for (const { contract, api } of options.served) {
    for (const [name, spec] of Object.entries(contract.methods)) {
      const method = (api as unknown as Record<string, Method>)[name]!;
      const where = `${contract.id}.${name}`;
      app.post(methodPath(contract, name), async (c) => {
        try {
          await options.credentials.verify(c.req.header(headers.credential));
          const call = callContextOf(c);
          if (call.deadline !== undefined && call.deadline <= Date.now()) throw DeadlineExceeded.create('The call arrived after its deadline');
          let body: unknown;
          try {
            body = await c.req.json();
          } catch {
            throw validationFailed([{ field: '(body)', message: 'is not valid JSON' }], `${where} input`);
          }
          const input = parseOrThrow(spec.input, body, `${where} input`);
          const output = await runInCall(call, () => withinDeadline(method(input), call.deadline));
          const checked = spec.output.safeParse(output);
          if (!checked.success) throw Internal.create(`${where} returned output that breaks its contract`, { errors: fieldIssues(checked.error) });
          c.header(headers.traceparent, formatTraceparent(call.traceId, call.spanId));
          return c.json(checked.data as object);
        } catch (error) {
          const seamError = toSeamError(error);
          if (seamError.status >= 500) options.logger.error({ err: error, method: where }, 'rpc call failed');
          return errorResponse(c, seamError);
        }
      });
    }
  }

  // Anything else under /rpc: say precisely what is unknown, so a caller on the wrong
  // version learns it from the answer rather than from a generic 404.
  app.post(`${rpcPrefix}/:contract/:version/:method`, (c) => {
    const served = byName.get(c.req.param('contract'));
    if (!served) return errorResponse(c, UnknownContract.create(`No contract ${c.req.param('contract')} here`));
    if (c.req.param('version') !== `v${served.contract.version}`) {
      return errorResponse(
        c,
        UnknownContractVersion.create(`${served.contract.name} is served as v${served.contract.version}, not ${c.req.param('version')}`, {
          served: served.contract.version,
        }),
      );
    }
    return errorResponse(c, UnknownMethod.create(`${served.contract.id} has no method ${c.req.param('method')}`));
  });

  return app;
};
