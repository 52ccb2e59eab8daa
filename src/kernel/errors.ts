/**
 * @module Typed errors with a stable string `code` and the kind of failure each is.
 *
 * `instanceof` does not survive a process boundary, a code does: every error a contract may
 * raise is a `SeamError` identified by its code, serialisable with `toJSON()` and rebuilt on
 * the caller's side with `SeamError.fromJSON()`. Each error also says what kind of failure it is
 * (failures.ts decides retries, breakers and answers from the kind). Errors say nothing of
 * HTTP: only the edges (the gateway, the RPC server) turn a kind into a status.
 */

/**
 * Every kind of failure, after the canonical codes of Google's API error model. Answers, the
 * callee ran and said no: `invalid` (the input breaks the contract), `unauthenticated` (the
 * caller is not known), `forbidden` (known, not allowed), `not-found`, `conflict` (the current
 * state forbids it: taken, out of stock, too late), `refused` (a domain rule says no, whatever
 * the state), `exhausted` (a quota or lockout: later), or it broke: `fault` (a bug). Transport,
 * no answer was had: `unavailable` (the work did not run), `outcome-unknown` (it may have),
 * `deadline-exceeded` (time ran out; it may have run too).
 */
export const failureKinds = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not-found',
  'conflict',
  'refused',
  'exhausted',
  'fault',
  'unavailable',
  'deadline-exceeded',
  'outcome-unknown',
] as const;

export type FailureKind = (typeof failureKinds)[number];

const knownKinds: ReadonlySet<unknown> = new Set(failureKinds);

export const isFailureKind = (value: unknown): value is FailureKind => knownKinds.has(value);

/** One field-level problem, as reported by validation. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** The wire form of a `SeamError`: plain data, safe to send across any transport. */
export interface SeamErrorData {
  readonly code: string;
  readonly kind: FailureKind;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export interface SeamErrorOptions {
  readonly cause?: unknown;
  /**
   * True when a remote callee sent this error as its answer, rather than the call to it failing
   * here: a callee that answers "my dependency is unavailable" is itself reachable and well.
   */
  readonly answered?: boolean;
}

/** An error with a stable code, the kind of failure it is and optional structured details. */
export class SeamError<Code extends string = string> extends Error {
  override readonly name = 'SeamError';
  readonly answered: boolean;

  constructor(
    readonly code: Code,
    readonly kind: FailureKind,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: SeamErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    // Every decision about this error is taken from its kind: a wrong one must not pass unnoticed.
    if (!isFailureKind(kind)) throw new TypeError(`SeamError ${code}: ${JSON.stringify(kind)} is not a failure kind (one of ${failureKinds.join(', ')})`);
    this.answered = options?.answered ?? false;
  }

  toJSON(): SeamErrorData {
    return { code: this.code, kind: this.kind, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }

  /**
   * Rebuilds an error sent by `toJSON()`, keeping its code, kind, message and details;
   * `answered` when a callee sent it. A kind this version does not know is a fault.
   */
  static fromJSON(data: SeamErrorData, options: { answered?: boolean } = {}): SeamError {
    const kind = isFailureKind(data.kind) ? data.kind : 'fault';
    return new SeamError(data.code, kind, data.message, data.details, { answered: options.answered ?? false });
  }
}

/** A declared error: what a contract lists and what an implementation raises. */
export interface ErrorSpec<Code extends string = string> {
  readonly code: Code;
  readonly kind: FailureKind;
  readonly title: string;
  /** Builds the error; `message` defaults to the spec's title. */
  create(message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }): SeamError<Code>;
  /** True when `error` carries this spec's code, whichever process raised it. */
  is(error: unknown): error is SeamError<Code>;
}

/**
 * Declares an error once, with its code, the kind of failure it is and a human title.
 *
 * @example
 * export const ProductNotFound = defineError('PRODUCT_NOT_FOUND', 'not-found', 'Product not found');
 * throw ProductNotFound.create(`No product ${id}`, { productId: id });
 */
export const defineError = <Code extends string>(code: Code, kind: FailureKind, title: string): ErrorSpec<Code> => {
  if (!isFailureKind(kind)) throw new TypeError(`defineError ${code}: ${JSON.stringify(kind)} is not a failure kind (one of ${failureKinds.join(', ')})`);
  return {
    code,
    kind,
    title,
    create: (message = title, details, options) => new SeamError(code, kind, message, details, options?.cause === undefined ? undefined : { cause: options.cause }),
    is: (error): error is SeamError<Code> => error instanceof SeamError && error.code === code,
  };
};

/** Errors every layer may raise, whatever the contract declares. */
export const ValidationFailed = defineError('VALIDATION_FAILED', 'invalid', 'The request is not valid');
export const Unauthorized = defineError('UNAUTHORIZED', 'unauthenticated', 'Authentication is required');
export const Forbidden = defineError('FORBIDDEN', 'forbidden', 'Not allowed');
export const NotFound = defineError('NOT_FOUND', 'not-found', 'Not found');
export const Internal = defineError('INTERNAL', 'fault', 'Internal error');
/** Something needed is unavailable and the work did not run: try again later. */
export const ServiceUnavailable = defineError('SERVICE_UNAVAILABLE', 'unavailable', 'Service unavailable');
export const DeadlineExceeded = defineError('DEADLINE_EXCEEDED', 'deadline-exceeded', 'The call ran out of time');
/** The remote service could not be reached (no connection): the call did not run there. */
export const RemoteCallFailed = defineError('REMOTE_CALL_FAILED', 'unavailable', 'The remote service could not be reached');
/**
 * The work may or may not have happened (the callee died mid-call, the database connection
 * dropped mid-statement): retry with the same idempotency key to learn how it ended.
 */
export const OutcomeUnknown = defineError('OUTCOME_UNKNOWN', 'outcome-unknown', 'The outcome is unknown; retry with the same Idempotency-Key');

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
export const toSeamError = (error: unknown): SeamError => seamErrorIn(error) ?? new SeamError('INTERNAL', 'fault', 'Internal error', undefined, { cause: error });

/** The kernel's errors, for code that lists what may be raised (problem titles, docs). */
export const commonErrors: readonly ErrorSpec[] = [
  ValidationFailed,
  Unauthorized,
  Forbidden,
  NotFound,
  Internal,
  ServiceUnavailable,
  DeadlineExceeded,
  RemoteCallFailed,
  OutcomeUnknown,
];
