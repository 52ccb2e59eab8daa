/**
 * @module The client side of the HTTP binding: a typed proxy that implements a contract's
 * interface by calling `POST /rpc/<contract>/v<major>/<method>` on another process.
 *
 * Across the wire go the input, the service credential, the caller's remaining time and its
 * trace. A domain error comes back as the same SeamError (same code, status and details);
 * a failure in transit is REMOTE_CALL_FAILED ("it may have run"), and running out of time is
 * DEADLINE_EXCEEDED. Connections are kept alive and reused (undici).
 */
import { Agent, type Dispatcher } from 'undici';
import type { AnyContract, ContractApi } from '../../kernel/contract.js';
import { currentCall, formatTraceparent, newSpanId, newTraceId } from '../../kernel/call-context.js';
import { DeadlineExceeded, RemoteCallFailed, SeamError, type SeamErrorData } from '../../kernel/errors.js';
import { endpointOf } from './endpoint.js';
import type { ServiceCredentials } from './service-credential.js';
import { headers, methodPath, type ErrorBody } from './wire.js';

export interface HttpBindingOptions {
  /** The base URL (`http://host:port`) to send this call to: fixed, or chosen per call. */
  readonly endpoint: (method: string) => string;
  readonly credentials: ServiceCredentials;
  /** The longest a call may take when the caller has no earlier deadline. */
  readonly timeoutMs: number;
  /** Shared connection pools; one keep-alive agent per process is the usual choice. */
  readonly dispatcher?: Dispatcher;
}

/** One agent for the process: keep-alive pools per origin, reused by every binding. */
export const sharedAgent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });

const isErrorBody = (value: unknown): value is ErrorBody =>
  typeof value === 'object' && value !== null && typeof (value as { error?: { code?: unknown } }).error?.code === 'string';

/** A failure the server reported, rebuilt as the error it raised. */
const rebuild = (status: number, text: string): SeamError => {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isErrorBody(parsed)) return SeamError.fromJSON(parsed.error as SeamErrorData);
  } catch {
    // Not ours: a proxy's error page, say. Fall through.
  }
  return RemoteCallFailed.create(`The remote service answered ${status} without a Seam error`, { status });
};

/** What every call needs besides its target: credentials, a time limit, the connection pools. */
export type CallOptions = Omit<HttpBindingOptions, 'endpoint'>;

/** One method of a contract, with its path and its name in messages worked out once, not per call. */
export interface RemoteMethod {
  readonly path: string;
  readonly label: string;
}

export const remoteMethod = (contract: AnyContract, method: string): RemoteMethod => ({ path: methodPath(contract, method), label: `${contract.id}.${method}` });

/** Calls `target` on the service at `baseUrl`. */
export const callHttp = async (target: RemoteMethod, baseUrl: string, input: unknown, options: CallOptions): Promise<unknown> => {
  const call = currentCall();
  const now = Date.now();
  const deadline = call?.deadline === undefined ? now + options.timeoutMs : Math.min(call.deadline, now + options.timeoutMs);
  const remaining = deadline - now;
  if (remaining <= 0) throw DeadlineExceeded.create(`No time left to call ${target.label}`);
  const credential = options.credentials.currentIfIssued() ?? (await options.credentials.current());
  let status: number;
  let text: string;
  try {
    const endpoint = endpointOf(baseUrl);
    const response = await (options.dispatcher ?? sharedAgent).request({
      origin: endpoint.origin,
      path: endpoint.pathPrefix + target.path,
      method: 'POST',
      // Name/value pairs: undici takes them as they are, without walking an object's keys.
      headers: [
        'content-type',
        'application/json',
        headers.credential,
        credential,
        headers.timeout,
        String(Math.floor(remaining)),
        headers.traceparent,
        formatTraceparent(call?.traceId ?? newTraceId(), newSpanId()),
      ],
      body: JSON.stringify(input),
      // undici's own timers, not an AbortSignal per call: the signal costs a timer and
      // listeners on every request, which shows at thousands of calls per second.
      headersTimeout: remaining,
      bodyTimeout: remaining,
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    if (error instanceof Error && (error.name === 'HeadersTimeoutError' || error.name === 'BodyTimeoutError')) {
      throw DeadlineExceeded.create(`${target.label} did not answer within ${Math.floor(remaining)} ms`);
    }
    throw new SeamError(RemoteCallFailed.code, RemoteCallFailed.status, `${target.label} failed in transit; it may have run`, undefined, { cause: error });
  }
  if (status === 200) return JSON.parse(text) as unknown;
  throw rebuild(status, text);
};

/**
 * Binds `contract` to the service `options.endpoint` names, over HTTP.
 *
 * @example
 * const inventory = bindHttp(inventoryContract, { endpoint: () => 'http://inventory:3000', credentials, timeoutMs: 2000 });
 */
export const bindHttp = <C extends AnyContract>(contract: C, options: HttpBindingOptions): ContractApi<C> => {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(contract.methods)) {
    const target = remoteMethod(contract, method);
    api[method] = (input) => callHttp(target, options.endpoint(method), input, options);
  }
  return Object.freeze(api) as unknown as ContractApi<C>;
};
