/**
 * @module The shop's one public status more precise than its kind's, shared by the edge that
 * answers with it and the API reference that documents it.
 */
import { publicStatuses } from '../gateway/public-status.js';
import { PaymentDeclined } from '../modules/payments/contract.js';

// A refusal (kind `refused`, 422) that HTTP names itself: 402, as card payment APIs answer a decline.
export const shopStatusByCode: Readonly<Record<string, number>> = { [PaymentDeclined.code]: 402 };

export const shopStatuses = publicStatuses(shopStatusByCode);
