/**
 * @module Typed errors with a stable string `code`.
 *
 * `instanceof` does not survive a process boundary, a code does: every error a contract may
 * raise is a `SeamError` identified by its code, serialisable with `toJSON()` and rebuilt on
 * the caller's side with `SeamError.fromJSON()`. Only the HTTP edge turns codes into
 * responses; the status travels with the error so a gateway needs no table of its own.
 */

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
}

/** An error with a stable code, an HTTP status and optional structured details. */
export class SeamError<Code extends string = string> extends Error {
  override readonly name = 'SeamError';

  constructor(
    readonly code: Code,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): SeamErrorData {
    return {
      code: this.code,
      status: this.status,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }

  /** Rebuilds an error sent by `toJSON()`, keeping its code, status and details. */
  static fromJSON(data: SeamErrorData): SeamError {
    return new SeamError(data.code, data.status, data.message, data.details);
  }
}

/** A declared error: what a contract lists and what an implementation raises. */
export interface ErrorSpec<Code extends string = string> {
  readonly code: Code;
  readonly status: number;
  readonly title: string;
  /** Builds the error; `message` defaults to the spec's title. */
  create(message?: string, details?: Record<string, unknown>): SeamError<Code>;
  /** True when `error` carries this spec's code, whichever process raised it. */
  is(error: unknown): error is SeamError<Code>;
}

/**
 * Declares an error once, with its code, HTTP status and human title.
 *
 * @example
 * export const ProductNotFound = defineError('PRODUCT_NOT_FOUND', 404, 'Product not found');
 * throw ProductNotFound.create(`No product ${id}`, { productId: id });
 */
export const defineError = <Code extends string>(
  code: Code,
  status: number,
  title: string,
): ErrorSpec<Code> => ({
  code,
  status,
  title,
  create: (message = title, details) => new SeamError(code, status, message, details),
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
export const ServiceUnavailable = defineError('SERVICE_UNAVAILABLE', 503, 'Service unavailable');
export const DeadlineExceeded = defineError('DEADLINE_EXCEEDED', 504, 'The call ran out of time');
/** A remote call failed in transit: it may or may not have run on the other side. */
export const RemoteCallFailed = defineError('REMOTE_CALL_FAILED', 503, 'The remote call failed; it may have run');

/** Builds a VALIDATION_FAILED error naming every offending field. */
export const validationFailed = (issues: readonly FieldIssue[], prefix?: string): SeamError => {
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return ValidationFailed.create(prefix ? `${prefix}: ${summary}` : summary, { errors: issues });
};

/** Any thrown value as a SeamError; unknown failures become INTERNAL without leaking their text. */
export const toSeamError = (error: unknown): SeamError =>
  error instanceof SeamError ? error : new SeamError('INTERNAL', 500, 'Internal error', undefined, { cause: error });

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
];
