/**
 * @module The server side of the HTTP binding: every method of every served contract as
 * `POST /rpc/<contract>/v<major>/<method>` on hono.
 *
 * Each call is checked in this order: a genuine service credential (401), a caller the
 * deployment knows (401) and allows to call the contract (403 CALLER_NOT_ALLOWED, see
 * caller-permissions.ts), the deadline the caller still has (504 once it has passed), the
 * input against the contract's schema (400; fields this version does not know are dropped,
 * so a newer minor's caller keeps working), then the method runs in the caller's trace and
 * deadline, and its output is checked too (see method-handler.ts). Paths under /rpc that name
 * no served method get a precise 404, but only after the same credential and caller checks:
 * what a service serves is told to the services of the deployment alone.
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AnyContract, ContractApi } from '../../kernel/contract.js';
import { defineError, toSeamError, type SeamError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { contractCallSpan } from '../../kernel/tracing.js';
import { callHeadersOf } from './call-headers.js';
import { callerGate, type CallerPermissions, type DeniedCall } from './caller-permissions.js';
import { methodHandler, type Method, type MethodHandler } from './method-handler.js';
import type { ServiceCredentials } from './service-credential.js';
import { errorBody, methodPath, rpcPrefix, rpcStatusOf } from './wire.js';

export const UnknownContract = defineError('UNKNOWN_CONTRACT', 'not-found', 'This service does not serve that contract');
export const UnknownContractVersion = defineError('UNKNOWN_CONTRACT_VERSION', 'not-found', 'This service does not serve that major version');
export const UnknownMethod = defineError('UNKNOWN_METHOD', 'not-found', 'The contract has no such method');

export interface ServedContract {
  readonly contract: AnyContract;
  readonly api: ContractApi<AnyContract>;
}

export interface RpcServerOptions {
  readonly served: readonly ServedContract[];
  readonly credentials: ServiceCredentials;
  /** Every service that may call, with the contracts (by name) each may call; others get 401 or 403. */
  readonly callers: CallerPermissions;
  /** Told of every call refused with 403 (a counter). */
  readonly onDenied?: (denied: DeniedCall) => void;
  readonly logger: Logger;
}

/** `error` as a Seam RPC answer: its body and status, as peers read them (wire.ts). */
export const errorResponse = (c: Context, error: SeamError): Response => c.json(errorBody(error), rpcStatusOf(error) as ContentfulStatusCode);

export const rpcServer = (options: RpcServerOptions): Hono => {
  const app = new Hono();
  const byName = new Map(options.served.map((served) => [served.contract.name, served]));
  const { credentials, logger } = options;
  const gate = callerGate({ permissions: options.callers, logger, ...(options.onDenied ? { onDenied: options.onDenied } : {}) });

  const methods = new Map<string, MethodHandler>();
  for (const { contract, api } of options.served) {
    const callers = gate.callersOf(contract.name);
    for (const [name, spec] of Object.entries(contract.methods)) {
      const method = (api as unknown as Record<string, Method>)[name]!;
      const deny = (caller: string): SeamError => gate.deny(caller, contract.id, name);
      methods.set(methodPath(contract, name), methodHandler({ where: `${contract.id}.${name}`, span: contractCallSpan(contract.id, name), spec, method, credentials, callers, deny, logger }));
    }
  }

  // One route for every path under /rpc, the served methods found by their exact path: with a
  // route per method and a catch-all, hono matched two handlers on every call and ran them
  // through its middleware chain.
  app.post(`${rpcPrefix}/*`, (c) => methods.get(c.req.path)?.(c) ?? unknownPath(c));

  // Any other path under /rpc: to a caller of the deployment, say precisely what is unknown,
  // so one on the wrong version learns it from the answer rather than from a generic 404.
  async function unknownPath(c: Context): Promise<Response> {
    const [contractName, version, methodName, ...rest] = c.req.path.slice(rpcPrefix.length + 1).split('/');
    let caller: string;
    try {
      caller = await credentials.verify(callHeadersOf(c).credential);
    } catch (error) {
      return errorResponse(c, toSeamError(error));
    }
    const served = contractName === undefined ? undefined : byName.get(contractName);
    // A method name a caller made up is no metric label: it would grow the series without bound.
    const methodLabel = served && methodName !== undefined && Object.hasOwn(served.contract.methods, methodName) ? methodName : '(unknown)';
    if (!gate.isKnown(caller)) return errorResponse(c, gate.deny(caller, served?.contract.id ?? '(unknown)', methodLabel));
    if (!contractName || !version || !methodName || rest.length > 0) return c.notFound();
    if (!served) return errorResponse(c, UnknownContract.create(`No contract ${contractName} here`));
    if (!gate.callersOf(served.contract.name).has(caller)) return errorResponse(c, gate.deny(caller, served.contract.id, methodLabel));
    if (version !== `v${served.contract.version}`) {
      return errorResponse(
        c,
        UnknownContractVersion.create(`${served.contract.name} is served as v${served.contract.version}, not ${version}`, {
          served: served.contract.version,
        }),
      );
    }
    return errorResponse(c, UnknownMethod.create(`${served.contract.id} has no method ${methodName}`));
  }

  return app;
};
