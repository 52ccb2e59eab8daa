/**
 * @module One method of a served contract as a hono handler: credential, caller permission,
 * deadline, trace, input and output validation around the implementation.
 *
 * The order of checks: a genuine service credential (401), a caller that may call this
 * contract (401 unknown service, 403 CALLER_NOT_ALLOWED), time left before the caller's
 * deadline (504), input valid for the contract (400; unknown fields dropped), then the method
 * runs in the caller's trace and deadline, and its output is checked too (500 if broken).
 * Every call gets exactly one answer: the first failure, or the method's checked output.
 */
import { context, trace } from '@opentelemetry/api';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { remoteParent, withDeadline } from '../../kernel/call-context.js';
import type { MethodSpec } from '../../kernel/contract.js';
import { settleBy } from '../../kernel/deadline-watch.js';
import { DeadlineExceeded, Internal, toSeamError, validationFailed, type SeamError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { recordFailure, servingCall, SpanKind, startSpan, type Attributes } from '../../kernel/tracing.js';
import { fieldIssues, parseOrThrow } from '../../kernel/validation.js';
import { callHeadersOf, type CallHeaders } from './call-headers.js';
import type { ServiceCredentials } from './service-credential.js';
import { errorBody, rpcStatusOf } from './wire.js';

export type Method = (input: unknown) => Promise<unknown>;
export type MethodHandler = (c: Context) => Promise<Response>;

export interface MethodHandlerOptions {
  /** `contract/vN.method`, for messages and logs. */
  readonly where: string;
  /** The span's name and attributes (as the caller's span has them): contract and method. */
  readonly span: { readonly name: string; readonly attributes: Attributes };
  readonly spec: MethodSpec;
  readonly method: Method;
  readonly credentials: ServiceCredentials;
  /** The services that may call this method's contract. */
  readonly callers: ReadonlySet<string>;
  /** The answer to a genuine caller not in `callers` (logged and counted by whoever makes it). */
  readonly deny: (caller: string) => SeamError;
  readonly logger: Logger;
}

/** The caller's deadline (epoch ms) from its timeout header, if it sent a usable one. */
const deadlineOf = (sent: CallHeaders): number | undefined => {
  const timeout = sent.timeout === undefined ? Number.NaN : Number(sent.timeout);
  return Number.isFinite(timeout) ? Date.now() + timeout : undefined;
};

/**
 * `work`'s outcome, or DEADLINE_EXCEEDED once `deadline` (epoch ms) passes, whichever comes
 * first. At the deadline `work` is abandoned: its late result or failure is dropped. The
 * deadline is watched by the process's one shared timer (deadline-watch.ts), not a timer per call.
 */
const withinDeadline = <T>(work: Promise<T>, deadline: number): Promise<T> =>
  settleBy(work, deadline, () => DeadlineExceeded.create('The caller’s deadline passed while the method ran'));

export const methodHandler = (options: MethodHandlerOptions): MethodHandler => {
  const { where, spec, method, credentials, callers, deny, logger } = options;
  const inputLabel = `${where} input`;
  const spanOptions = { kind: SpanKind.SERVER, attributes: options.span.attributes };

  return async (c) => {
    const sent = callHeadersOf(c);
    // The span is the caller's span's child; the method runs in it, with the caller's deadline.
    const parent = remoteParent(sent.traceparent);
    const span = startSpan(options.span.name, { ...spanOptions, parent });
    const inCall = trace.setSpan(parent, span);
    try {
      const caller = await credentials.verify(sent.credential);
      if (!callers.has(caller)) throw deny(caller);
      const deadline = deadlineOf(sent);
      if (deadline !== undefined && deadline <= Date.now()) throw DeadlineExceeded.create('The call arrived after its deadline');
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw validationFailed([{ field: '(body)', message: 'is not valid JSON' }], inputLabel);
      }
      const input = parseOrThrow(spec.input, body, inputLabel);
      const work = context.with(servingCall(options.span.name, withDeadline(deadline, inCall)), () => method(input));
      const output = await (deadline === undefined ? work : withinDeadline(work, deadline));
      const checked = spec.output.safeParse(output);
      if (!checked.success) throw Internal.create(`${where} returned output that breaks its contract`, { errors: fieldIssues(checked.error) });
      // No traceparent goes back: W3C Trace Context defines it for requests only, and the
      // caller already holds the trace id.
      return c.json(checked.data);
    } catch (error) {
      const seamError = toSeamError(error);
      const status = rpcStatusOf(seamError);
      // In the call's context, so the line carries its trace.
      if (status >= 500) context.with(inCall, () => logger.error({ err: error, method: where }, 'rpc call failed'));
      recordFailure(span, seamError);
      return c.json(errorBody(seamError), status as ContentfulStatusCode);
    } finally {
      span.end();
    }
  };
};
