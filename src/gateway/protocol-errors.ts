/**
 * @module The errors of HTTP itself, which only the edge raises: a request that is not valid
 * HTTP, too slow, too large, or not JSON. Their public statuses are HTTP's own (public-status.ts).
 */
import { defineError, type ErrorSpec } from '../kernel/errors.js';

export const MalformedRequest = defineError('MALFORMED_REQUEST', 'invalid', 'The request is not valid HTTP');
export const RequestTimeout = defineError('REQUEST_TIMEOUT', 'invalid', 'The request took too long to arrive');
export const PayloadTooLarge = defineError('PAYLOAD_TOO_LARGE', 'invalid', 'The request body is too large');
export const UnsupportedMediaType = defineError('UNSUPPORTED_MEDIA_TYPE', 'invalid', 'Unsupported media type');
export const RequestHeadersTooLarge = defineError('REQUEST_HEADERS_TOO_LARGE', 'invalid', 'The request headers are too large');

/** Every one of them, for problem titles. */
export const protocolErrors: readonly ErrorSpec[] = [MalformedRequest, RequestTimeout, PayloadTooLarge, UnsupportedMediaType, RequestHeadersTooLarge];
