/**
 * @module One method of a served contract as a hono handler: credential, caller permission,
 * deadline, trace, input and output validation around the implementation.
 *
 * The order of checks: a genuine service credential (401), a caller that may call this
 * contract (401 unknown service, 403 CALLER_NOT_ALLOWED), time left before the caller's
 * deadline (504), input valid for the contract (400; unknown fields dropped), then the method
 * runs in the caller's trace and deadline, and its output is checked too (500 if broken).
 *
 * Written with callbacks rather than async/await on purpose: once AsyncLocalStorage is on
 * (the first call turns it on), every promise, including the hidden one behind each await,
 * runs an async-hooks init, and this way a call makes four promises where async/await and a
 * deadline race make six or more.
 */
import type { Context } from 'hono';
import { continueTrace, runInCall, type CallContext } from '../../kernel/call-context.js';
import type { MethodSpec } from '../../kernel/contract.js';
import { DeadlineExceeded, Internal, toSeamError, validationFailed, type SeamError } from '../../kernel/errors.js';
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
  /** The services that may call this method's contract. */
  readonly callers: ReadonlySet<string>;
  /** The answer to a genuine caller not in `callers` (logged and counted by whoever makes it). */
  readonly deny: (caller: string) => SeamError;
  readonly logger: Logger;
}

const callContextOf = (sent: CallHeaders): CallContext => {
  const { traceId, spanId } = continueTrace(sent.traceparent);
  const timeout = sent.timeout === undefined ? Number.NaN : Number(sent.timeout);
  // Fields named, not `{ ...trace, deadline }`: the spread measured 1.7 µs a call, this 0.03.
  return Number.isFinite(timeout) ? { traceId, spanId, deadline: Date.now() + timeout } : { traceId, spanId };
};

/** What every call of one method shares: the implementation, its schemas, and how to answer. */
class ServedMethod {
  readonly inputLabel: string;

  constructor(private readonly options: MethodHandlerOptions) {
    this.inputLabel = `${options.where} input`;
  }

  get spec(): MethodSpec {
    return this.options.spec;
  }

  get credentials(): ServiceCredentials {
    return this.options.credentials;
  }

  get callers(): ReadonlySet<string> {
    return this.options.callers;
  }

  deny(caller: string): SeamError {
    return this.options.deny(caller);
  }

  invoke(input: unknown): Promise<unknown> {
    return this.options.method(input);
  }

  failure(c: Context, error: unknown): Response {
    const seamError = toSeamError(error);
    if (seamError.status >= 500) this.options.logger.error({ err: error, method: this.options.where }, 'rpc call failed');
    return c.json({ error: seamError.toJSON() } satisfies ErrorBody, seamError.status as 400);
  }

  success(c: Context, output: unknown): Response {
    const checked = this.options.spec.output.safeParse(output);
    if (!checked.success) return this.failure(c, Internal.create(`${this.options.where} returned output that breaks its contract`, { errors: fieldIssues(checked.error) }));
    // A Response with plain-object headers, not c.json(): hono turns headers into a WHATWG
    // Headers object that @hono/node-server must convert back, while a plain object goes
    // straight to writeHead. Headers middleware prepared on the context are not carried
    // over; nothing on an RPC route needs them. No traceparent goes back: W3C Trace Context
    // defines it for requests only, the caller already holds the trace id, and writing and
    // parsing one more header cost both sides microseconds on every call.
    return new Response(JSON.stringify(checked.data), { status: 200, headers: { 'content-type': 'application/json' } });
  }
}

/**
 * One call in flight, answered exactly once: with the method's outcome, or with the first
 * failure (credential, deadline, input, the method's error, the deadline passing while it
 * runs); later outcomes are dropped. A class rather than closures: tsx compiles with
 * esbuild's keepNames, so every named closure made per call also costs a defineProperty,
 * and five of them came to several microseconds a call.
 */
class ServedCall {
  private answered = false;
  private watch: DeadlineWatch | undefined;

  constructor(
    private readonly served: ServedMethod,
    private readonly c: Context,
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    const sent = callHeadersOf(this.c);
    // A known token is accepted without a promise; only a new one waits for jose.
    const caller = this.served.credentials.verifiedBefore(sent.credential);
    if (caller !== undefined) this.admit(caller, sent);
    else this.served.credentials.verify(sent.credential).then((verified) => this.admit(verified, sent), (error: unknown) => this.fail(error));
  }

  /** A genuine credential says who calls; only a caller allowed this contract gets further. */
  private admit(caller: string, sent: CallHeaders): void {
    if (this.served.callers.has(caller)) this.serve(sent);
    else this.fail(this.served.deny(caller));
  }

  private serve(sent: CallHeaders): void {
    try {
      const call = callContextOf(sent);
      if (call.deadline !== undefined && call.deadline <= Date.now()) return this.fail(DeadlineExceeded.create('The call arrived after its deadline'));
      this.c.req.json().then(
        (body: unknown) => this.withBody(call, body),
        () => this.fail(validationFailed([{ field: '(body)', message: 'is not valid JSON' }], this.served.inputLabel)),
      );
    } catch (error) {
      this.fail(error);
    }
  }

  private withBody(call: CallContext, body: unknown): void {
    try {
      const input = this.served.spec.input.safeParse(body);
      if (!input.success) return this.fail(validationFailed(fieldIssues(input.error), this.served.inputLabel));
      this.run(call, input.data);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Runs the method in the caller's trace, answering with its outcome or at the deadline, whichever is first. */
  private run(call: CallContext, input: unknown): void {
    const work = Promise.resolve(runInCall(call, () => this.served.invoke(input)));
    // At the deadline the method's promise is abandoned; its late result is unwanted.
    if (call.deadline !== undefined) this.watch = watchDeadline(call.deadline, () => this.fail(DeadlineExceeded.create('The caller’s deadline passed while the method ran')));
    work.then(
      (output) => this.succeed(output),
      (error: unknown) => this.fail(error),
    );
  }

  /** True the first time only; stops the deadline watch. */
  private settle(): boolean {
    if (this.answered) return false;
    this.answered = true;
    if (this.watch !== undefined) unwatchDeadline(this.watch);
    return true;
  }

  private succeed(output: unknown): void {
    if (!this.settle()) return;
    try {
      this.resolve(this.served.success(this.c, output));
    } catch (error) {
      this.answerFailure(error);
    }
  }

  private fail(error: unknown): void {
    if (this.settle()) this.answerFailure(error);
  }

  private answerFailure(error: unknown): void {
    try {
      this.resolve(this.served.failure(this.c, error));
    } catch (unanswerable) {
      this.reject(unanswerable); // left to hono's error handler
    }
  }
}

export const methodHandler = (options: MethodHandlerOptions): MethodHandler => {
  const served = new ServedMethod(options);
  return (c) => new Promise<Response>((resolve, reject) => new ServedCall(served, c, resolve, reject).start());
};
