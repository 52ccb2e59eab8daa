/**
 * @module Typed errors with a stable string `code` and a failure kind.
 *
 * `instanceof` does not survive a process boundary, a code does: every error a contract may
 * raise is a `SeamError` identified by its code, serialisable with `toJSON()` and rebuilt on
 * the caller's side with `SeamError.fromJSON()`. Each error also has a `kind` (failures.ts
 * decides retries, breakers and answers from it); the status travels with the error so a
 * gateway needs no table of its own.
 */

/**
 * What went wrong, in the terms every retry, breaker and answer decides on. Answers: the callee
 * ran and said no (`refused`, `not-found`, `conflict`) or broke (`fault`, a bug). Transport: no
 * answer was had; `unavailable` means the work did not run, `outcome-unknown` that it may have,
 * `deadline-exceeded` that time ran out (it may have run too).
 */
export type FailureKind = 'refused' | 'not-found' | 'conflict' | 'fault' | 'unavailable' | 'deadline-exceeded' | 'outcome-unknown';

const failureKinds: ReadonlySet<string> = new Set<FailureKind>(['refused', 'not-found', 'conflict', 'fault', 'unavailable', 'deadline-exceeded', 'outcome-unknown']);

/** The kind an HTTP status implies, for errors that declare none (and peers that send none). */
export const kindOfStatus = (status: number): FailureKind => {
  if (status === 404) return 'not-found';
  if (status === 409 || status === 412) return 'conflict';
  if (status >= 400 && status < 500) return 'refused';
  if (status === 502 || status === 503) return 'unavailable';
  if (status === 504) return 'deadline-exceeded';
  return 'fault';
};

/** One field-level problem, as reported by validation. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** The wire form of a `SeamError`: plain data, safe to send across any transport. */
export interface SeamErrorData {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  /** Sent only when it differs from what the status implies (kindOfStatus), so most errors look as they always did. */
  readonly kind?: FailureKind;
}

export interface SeamErrorOptions {
  readonly cause?: unknown;
  /** Defaults to what the status implies. */
  readonly kind?: FailureKind;
  /**
   * True when a remote callee sent this error as its answer, rather than the call to it failing
   * here: a callee that answers "my dependency is unavailable" is itself reachable and well.
   */
  readonly answered?: boolean;
}

/** An error with a stable code, an HTTP status and optional structured details. */
export class SeamError<Code extends string = string> extends Error {
  override readonly name = 'SeamError';
  readonly kind: FailureKind;
  readonly answered: boolean;

  constructor(
    readonly code: Code,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: SeamErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options?.kind ?? kindOfStatus(status);
    this.answered = options?.answered ?? false;
  }

  toJSON(): SeamErrorData {
    return {
      code: this.code,
      status: this.status,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.kind === kindOfStatus(this.status) ? {} : { kind: this.kind }),
    };
  }

  /** Rebuilds an error sent by `toJSON()`, keeping its code, status, details and kind; `answered` when a callee sent it. */
  static fromJSON(data: SeamErrorData, options: { answered?: boolean } = {}): SeamError {
    const kind = typeof data.kind === 'string' && failureKinds.has(data.kind) ? data.kind : undefined;
    return new SeamError(data.code, data.status, data.message, data.details, { ...(kind ? { kind } : {}), answered: options.answered ?? false });
  }
}

/** A declared error: what a contract lists and what an implementation raises. */
export interface ErrorSpec<Code extends string = string> {
  readonly code: Code;
  readonly status: number;
  readonly title: string;
  readonly kind: FailureKind;
  /** Builds the error; `message` defaults to the spec's title. */
  create(message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }): SeamError<Code>;
  /** True when `error` carries this spec's code, whichever process raised it. */
  is(error: unknown): error is SeamError<Code>;
}

/**
 * Declares an error once, with its code, HTTP status and human title; its kind is what the
 * status implies unless given.
 *
 * @example
 * export const ProductNotFound = defineError('PRODUCT_NOT_FOUND', 404, 'Product not found');
 * throw ProductNotFound.create(`No product ${id}`, { productId: id });
 */
export const defineError = <Code extends string>(code: Code, status: number, title: string, kind: FailureKind = kindOfStatus(status)): ErrorSpec<Code> => ({
  code,
  status,
  title,
  kind,
  create: (message = title, details, options) => new SeamError(code, status, message, details, { kind, ...(options?.cause === undefined ? {} : { cause: options.cause }) }),
  is: (error): error is SeamError<Code> => error instanceof SeamError && error.code === code,
});

/** Errors every layer may raise, whatever the contract declares. */
export const ValidationFailed = defineError('VALIDATION_FAILED', 400, 'The request is not valid');
export const Unauthorized = defineError('UNAUTHORIZED', 401, 'Authentication is required');
export const Forbidden = defineError('FORBIDDEN', 403, 'Not allowed');
export const NotFound = defineError('NOT_FOUND', 404, 'Not found');
export const PayloadTooLarge = defineError('PAYLOAD_TOO_LARGE', 413, 'The request body is too large');
export const UnsupportedMediaType = defineError('UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported media type');
export const Internal = defineError('INTERNAL', 500, 'Internal error');
/** Something needed is unavailable and the work did not run: try again later. */
export const ServiceUnavailable = defineError('SERVICE_UNAVAILABLE', 503, 'Service unavailable');
export const DeadlineExceeded = defineError('DEADLINE_EXCEEDED', 504, 'The call ran out of time');
/** The remote service could not be reached (no connection): the call did not run there. */
export const RemoteCallFailed = defineError('REMOTE_CALL_FAILED', 503, 'The remote service could not be reached');
/**
 * The work may or may not have happened (the callee died mid-call, the database connection
 * dropped mid-statement): retry with the same idempotency key to learn how it ended.
 */
export const OutcomeUnknown = defineError('OUTCOME_UNKNOWN', 503, 'The outcome is unknown; retry with the same Idempotency-Key', 'outcome-unknown');

/** Builds a VALIDATION_FAILED error naming every offending field. */
export const validationFailed = (issues: readonly FieldIssue[], prefix?: string): SeamError => {
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return ValidationFailed.create(prefix ? `${prefix}: ${summary}` : summary, { errors: issues });
};

/**
 * The SeamError `error` is, or wraps as its cause: a library may wrap one in its own error, as
 * drizzle wraps what a query threw in a DrizzleQueryError.
 */
export const seamErrorIn = (error: unknown): SeamError | undefined => {
  let current = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    if (current instanceof SeamError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
};

/** Any thrown value as a SeamError; unknown failures become INTERNAL without leaking their text. */
export const toSeamError = (error: unknown): SeamError => seamErrorIn(error) ?? new SeamError('INTERNAL', 500, 'Internal error', undefined, { cause: error });

/** The kernel's errors, for code that lists what may be raised (problem titles, docs). */
export const commonErrors: readonly ErrorSpec[] = [
  ValidationFailed,
  Unauthorized,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  UnsupportedMediaType,
  Internal,
  ServiceUnavailable,
  DeadlineExceeded,
  RemoteCallFailed,
  OutcomeUnknown,
];
