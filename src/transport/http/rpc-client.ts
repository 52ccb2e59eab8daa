/**
 * @module The client side of the HTTP binding: a typed proxy that implements a contract's
 * interface by calling `POST /rpc/<contract>/v<major>/<method>` on another process.
 *
 * Across the wire go the input, the service credential, the caller's remaining time and its
 * trace. An error the server raised comes back as the same SeamError (same code, kind, message
 * and details), marked as answered; a server that cannot be reached is REMOTE_CALL_FAILED (it did
 * not run), a call lost in transit OUTCOME_UNKNOWN (it may have run), and running out of time
 * DEADLINE_EXCEEDED. Connections are kept alive and reused (undici).
 */
import { Agent, type Dispatcher } from 'undici';
import type { AnyContract, ContractApi } from '../../kernel/contract.js';
import { callDeadline, traceparentOf } from '../../kernel/call-context.js';
import { DeadlineExceeded, OutcomeUnknown, RemoteCallFailed, type SeamError } from '../../kernel/errors.js';
import { contractCallSpan, recordFailure, SpanKind, startSpan, type Attributes } from '../../kernel/tracing.js';
import { endpointOf, type Endpoint } from './endpoint.js';
import type { ServiceCredentials } from './service-credential.js';
import { errorFromBody, headers, methodPath } from './wire.js';

export interface HttpBindingOptions {
  /** The base URL (`http://host:port`) to send this call to: fixed, or chosen per call. */
  readonly endpoint: (method: string) => string;
  readonly credentials: ServiceCredentials;
  /** The longest a call may take when the caller has no earlier deadline. */
  readonly timeoutMs: number;
  /** Shared connection pools; one keep-alive agent per process is the usual choice. */
  readonly dispatcher?: Dispatcher;
}

/**
 * A keep-alive agent for RPC calls. With `ca` (PEM), https peers are verified against that CA
 * alone, the deployment's own, not the public ones: a service presenting any other
 * certificate is not one of ours, and the call fails in transit.
 */
export const rpcAgent = (tls?: { readonly ca: string }): Agent =>
  new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1, ...(tls ? { connect: { ca: tls.ca } } : {}) });

/** One agent for the process: keep-alive pools per origin, reused by every binding. */
export const sharedAgent = rpcAgent();

/** A failure the server reported, rebuilt as the error it raised: the callee's answer. */
const rebuild = (status: number, text: string): SeamError => {
  try {
    const answer = errorFromBody(JSON.parse(text), status);
    if (answer) return answer;
  } catch {
    // Not ours: a proxy's error page, say. Fall through.
  }
  // Whatever stood in between may or may not have passed the call on.
  return OutcomeUnknown.create(`The remote service answered ${status} without a Seam error`, { status });
};

/** Failures to connect (refused, no such host, connect timeout, TLS refused): the request never left. */
const connectCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
// OpenSSL's verdicts on a peer's certificate, as node names them: not all say CERT
// (UNABLE_TO_VERIFY_LEAF_SIGNATURE is what a certificate from an untrusted CA gets).
const certificateRefused = /TLS|CERT|SSL|^UNABLE_TO_|^INVALID_(CA|PURPOSE)$|^HOSTNAME_MISMATCH$|^PATH_LENGTH_EXCEEDED$/;
const neverSent = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (connectCodes.has(code) || certificateRefused.test(code));
};

/** What every call needs besides its target: credentials, a time limit, the connection pools. */
export type CallOptions = Omit<HttpBindingOptions, 'endpoint'>;

/** One method of a contract, with its path and its name in messages worked out once, not per call. */
export interface RemoteMethod {
  readonly path: string;
  readonly label: string;
  readonly span: { readonly name: string; readonly attributes: Attributes };
}

export const remoteMethod = (contract: AnyContract, method: string): RemoteMethod => ({
  path: methodPath(contract, method),
  label: `${contract.id}.${method}`,
  span: contractCallSpan(contract.id, method),
});

/** The milliseconds the call may take: the caller's deadline or the binding's timeout, whichever is sooner. */
const timeLeft = (target: RemoteMethod, options: CallOptions): number => {
  const callerDeadline = callDeadline();
  const now = Date.now();
  const deadline = callerDeadline === undefined ? now + options.timeoutMs : Math.min(callerDeadline, now + options.timeoutMs);
  const remaining = deadline - now;
  if (remaining <= 0) throw DeadlineExceeded.create(`No time left to call ${target.label}`);
  return remaining;
};

const endpointFor = (target: RemoteMethod, baseUrl: string): Endpoint => {
  try {
    return endpointOf(baseUrl);
  } catch (error) {
    throw RemoteCallFailed.create(`${target.label} cannot be called at ${baseUrl}`, undefined, { cause: error });
  }
};

/** What a request that got no answer means for the caller: out of time, never sent, or maybe run. */
const transitFailure = (error: unknown, target: RemoteMethod, remaining: number): SeamError => {
  if (error instanceof Error && (error.name === 'HeadersTimeoutError' || error.name === 'BodyTimeoutError')) {
    return DeadlineExceeded.create(`${target.label} did not answer within ${Math.floor(remaining)} ms`);
  }
  if (neverSent(error)) return RemoteCallFailed.create(`${target.label} could not be reached`, undefined, { cause: error });
  return OutcomeUnknown.create(`${target.label} failed in transit; it may have run`, undefined, { cause: error });
};

/**
 * Calls `target` on the service at `baseUrl`, in a client span whose id the server's span takes
 * as its parent. The span is never made active: nothing runs under it in this process.
 */
export const callHttp = async (target: RemoteMethod, baseUrl: string, input: unknown, options: CallOptions): Promise<unknown> => {
  const span = startSpan(target.span.name, { kind: SpanKind.CLIENT, attributes: target.span.attributes });
  try {
    const remaining = timeLeft(target, options);
    const credential = options.credentials.currentIfIssued() ?? (await options.credentials.current());
    const endpoint = endpointFor(target, baseUrl);
    let status: number;
    let text: string;
    try {
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
          traceparentOf(span.spanContext()),
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
      throw transitFailure(error, target, remaining);
    }
    if (status === 200) return JSON.parse(text) as unknown;
    throw rebuild(status, text);
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
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
