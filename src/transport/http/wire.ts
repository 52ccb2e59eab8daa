/**
 * @module What the HTTP binding puts on the wire: paths, headers, and error bodies.
 */
import type { AnyContract } from '../../kernel/contract.js';
import { isFailureKind, SeamError, type FailureKind, type SeamErrorData } from '../../kernel/errors.js';
import { httpStatusOfKind, kindOfStatus } from '../../kernel/failures.js';

export const headers = {
  credential: 'x-seam-credential',
  /** Milliseconds the caller will still wait, relative so clocks need not agree. */
  timeout: 'x-seam-timeout-ms',
  traceparent: 'traceparent',
  /** The caller's contract version, minor part, for logs and compatibility checks. */
  caller: 'x-seam-caller',
} as const;

export const rpcPrefix = '/rpc';

/** `POST /rpc/<contract>/v<major>/<method>`. */
export const methodPath = (contract: AnyContract, method: string): string => `${rpcPrefix}/${contract.name}/v${contract.version}/${method}`;

/**
 * The body of a failed call: the SeamError's wire form, which always has its kind, plus the
 * HTTP status of the answer. Callers of this version read the kind; `status` is for callers of
 * earlier versions, which read no kind, so that they keep understanding a rolling upgrade.
 */
export interface ErrorBody {
  readonly error: SeamErrorData & { readonly status: number };
}

/** The HTTP status the RPC server answers `error` with: its kind's. */
export const rpcStatusOf = (error: SeamError): number => httpStatusOfKind(error.kind);

export const errorBody = (error: SeamError): ErrorBody => ({ error: { ...error.toJSON(), status: rpcStatusOf(error) } });

/** What a peer of any version may send as `error`: its kind may be missing (older) or one this version does not know (newer). */
interface SentError {
  readonly code: string;
  readonly message?: unknown;
  readonly kind?: unknown;
  readonly status?: unknown;
  readonly details?: unknown;
}

const isSentError = (value: unknown): value is SentError => typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The error a peer answered with, from the parsed body of a failed call with HTTP status
 * `answerStatus`; undefined when the body is no Seam error. The kind is the one sent, else
 * (from a peer older or newer than this one) what the sent status implies, else the answer's.
 */
export const errorFromBody = (body: unknown, answerStatus: number): SeamError | undefined => {
  const sent = isRecord(body) ? body['error'] : undefined;
  if (!isSentError(sent)) return undefined;
  const status = typeof sent.status === 'number' ? sent.status : answerStatus;
  const kind: FailureKind = isFailureKind(sent.kind) ? sent.kind : kindOfStatus(status);
  const message = typeof sent.message === 'string' ? sent.message : sent.code;
  return SeamError.fromJSON({ code: sent.code, kind, message, ...(isRecord(sent.details) ? { details: sent.details } : {}) }, { answered: true });
};
