/**
 * @module One method of a served contract as a hono handler: credential, deadline, trace,
 * input and output validation around the implementation.
 *
 * The order of checks: a genuine service credential (401), time left before the caller's
 * deadline (504), input valid for the contract (400; unknown fields dropped), then the method
 * runs in the caller's trace and deadline, and its output is checked too (500 if broken).
 *
 * Written with callbacks rather than async/await on purpose: once AsyncLocalStorage is on
 * (the first call turns it on), every promise, including the hidden one behind each await,
 * runs an async-hooks init, and this way a call makes four promises where async/await and a
 * deadline race make six or more.
 */
import type { Context } from 'hono';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, runInCall, type CallContext } from '../../kernel/call-context.js';
import type { MethodSpec } from '../../kernel/contract.js';
import { DeadlineExceeded, Internal, toSeamError, validationFailed } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { fieldIssues } from '../../kernel/validation.js';
import { callHeadersOf, type CallHeaders } from './call-headers.js';
import { unwatchDeadline, watchDeadline, type DeadlineWatch } from './deadline-watch.js';
import type { ServiceCredentials } from './service-credential.js';
import type { ErrorBody } from './wire.js';

export type Method = (input: unknown) => Promise<unknown>;
export type MethodHandler = (c: Context) => Promise<Response>;

export interface MethodHandlerOptions {
  /** `contract/vN.method`, for messages and logs. */
  readonly where: string;
  readonly spec: MethodSpec;
  readonly method: Method;
  readonly credentials: ServiceCredentials;
  readonly logger: Logger;
}

/** Answers a call once: with what `make` builds, or with the error it throws. Later outcomes are dropped. */
type Answer = (make: () => Response) => void;

const callContextOf = (sent: CallHeaders): CallContext => {
  const traceId = parseTraceparent(sent.traceparent)?.traceId ?? newTraceId();
  const timeout = sent.timeout === undefined ? Number.NaN : Number(sent.timeout);
  return Number.isFinite(timeout) ? { traceId, spanId: newSpanId(), deadline: Date.now() + timeout } : { traceId, spanId: newSpanId() };
};

export const methodHandler = ({ where, spec, method, credentials, logger }: MethodHandlerOptions): MethodHandler => {
  const inputLabel = `${where} input`;

  const failure = (c: Context, error: unknown): Response => {
    const seamError = toSeamError(error);
    if (seamError.status >= 500) logger.error({ err: error, method: where }, 'rpc call failed');
    return c.json({ error: seamError.toJSON() } satisfies ErrorBody, seamError.status as 400);
  };

  const success = (c: Context, call: CallContext, output: unknown): Response => {
    const checked = spec.output.safeParse(output);
    if (!checked.success) return failure(c, Internal.create(`${where} returned output that breaks its contract`, { errors: fieldIssues(checked.error) }));
    // A Response with plain-object headers, not c.header() + c.json(): hono turns two
    // headers into a WHATWG Headers object that @hono/node-server must convert back, while
    // a plain object goes straight to writeHead. Headers middleware prepared on the context
    // are not carried over; nothing on an RPC route needs them.
    return new Response(JSON.stringify(checked.data), {
      status: 200,
      headers: { 'content-type': 'application/json', traceparent: formatTraceparent(call.traceId, call.spanId) },
    });
  };

  /** Runs the method in the caller's trace, answering with its outcome or at the deadline, whichever is first. */
  const run = (c: Context, call: CallContext, input: unknown, answer: Answer): DeadlineWatch | undefined => {
    const fail = (error: unknown): void => answer(() => failure(c, error));
    const work = Promise.resolve(runInCall(call, () => method(input)));
    // At the deadline the method's promise is abandoned; its late result is unwanted.
    const watch = call.deadline === undefined ? undefined : watchDeadline(call.deadline, () => fail(DeadlineExceeded.create('The caller’s deadline passed while the method ran')));
    work.then((output) => answer(() => success(c, call, output)), fail);
    return watch;
  };

  return (c) =>
    new Promise<Response>((resolve, reject) => {
      const sent = callHeadersOf(c);
      let answered = false;
      let watch: DeadlineWatch | undefined;
      const answer: Answer = (make) => {
        if (answered) return;
        answered = true;
        if (watch !== undefined) unwatchDeadline(watch);
        try {
          resolve(make());
        } catch (error) {
          try {
            resolve(failure(c, error));
          } catch (unanswerable) {
            reject(unanswerable); // left to hono's error handler
          }
        }
      };
      const fail = (error: unknown): void => answer(() => failure(c, error));

      const withBody = (call: CallContext, body: unknown): void => {
        try {
          const input = spec.input.safeParse(body);
          if (!input.success) return fail(validationFailed(fieldIssues(input.error), inputLabel));
          watch = run(c, call, input.data, answer);
        } catch (error) {
          fail(error);
        }
      };
      const serve = (): void => {
        try {
          const call = callContextOf(sent);
          if (call.deadline !== undefined && call.deadline <= Date.now()) return fail(DeadlineExceeded.create('The call arrived after its deadline'));
          c.req.json().then(
            (body: unknown) => withBody(call, body),
            () => fail(validationFailed([{ field: '(body)', message: 'is not valid JSON' }], inputLabel)),
          );
        } catch (error) {
          fail(error);
        }
      };

      // A known token is accepted without a promise; only a new one waits for jose.
      if (credentials.verifiedBefore(sent.credential) !== undefined) serve();
      else credentials.verify(sent.credential).then(serve, fail);
    });
};
