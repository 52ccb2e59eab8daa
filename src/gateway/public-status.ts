/**
 * @module The HTTP status the public API answers each error with: the one its kind calls for
 * (failures.ts), except for the few codes HTTP has a more precise status for. Modules declare
 * kinds; statuses are chosen at the edge: HTTP's own here, and an application's (a declined
 * card: 402) in its edge's `statusByCode`.
 */
import type { FailureKind } from '../kernel/errors.js';
import { httpStatusOfKind } from '../kernel/failures.js';
import { PayloadTooLarge, RequestHeadersTooLarge, RequestTimeout, UnsupportedMediaType } from './protocol-errors.js';

/** Codes whose public status is not their kind's. */
export type PublicStatuses = ReadonlyMap<string, number>;

/** Requests the edge cannot use as sent (kind `invalid`, 400), each with HTTP's status for the reason. */
const protocolStatuses: PublicStatuses = new Map([
  [RequestTimeout.code, 408],
  [PayloadTooLarge.code, 413],
  [UnsupportedMediaType.code, 415],
  [RequestHeadersTooLarge.code, 431],
]);

/** HTTP's own statuses plus an application's. */
export const publicStatuses = (byCode: Readonly<Record<string, number>> = {}): PublicStatuses => new Map([...protocolStatuses, ...Object.entries(byCode)]);

/** The public HTTP status of an error: its code's own, if it has one in `statuses`, else its kind's. */
export const httpStatusOf = (error: { readonly code: string; readonly kind: FailureKind }, statuses: PublicStatuses = protocolStatuses): number =>
  statuses.get(error.code) ?? httpStatusOfKind(error.kind);
