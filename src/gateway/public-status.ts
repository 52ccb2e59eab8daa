/**
 * @module The HTTP status the public API answers each error with: the one its kind calls for
 * (failures.ts), except for the few codes HTTP has a more precise status for. Modules declare
 * kinds; statuses are chosen here, at the edge, and test/contracts/public-status.test.ts pins
 * the status of every declared code so none changes unnoticed.
 */
import type { FailureKind } from '../kernel/errors.js';
import { httpStatusOfKind } from '../kernel/failures.js';
import { PaymentDeclined } from '../modules/payments/contract.js';
import { PayloadTooLarge, RequestHeadersTooLarge, RequestTimeout, UnsupportedMediaType } from './protocol-errors.js';

/** Codes whose public status is not their kind's. */
const statusByCode: ReadonlyMap<string, number> = new Map([
  // A refusal (kind `refused`, 422) that HTTP names itself: 402, as card payment APIs answer a decline.
  [PaymentDeclined.code, 402],
  // Requests the edge cannot use as sent (kind `invalid`, 400), each with HTTP's status for the reason.
  [RequestTimeout.code, 408],
  [PayloadTooLarge.code, 413],
  [UnsupportedMediaType.code, 415],
  [RequestHeadersTooLarge.code, 431],
]);

/** The public HTTP status of an error: its code's own, if it has one here, else its kind's. */
export const httpStatusOf = (error: { readonly code: string; readonly kind: FailureKind }): number => statusByCode.get(error.code) ?? httpStatusOfKind(error.kind);
