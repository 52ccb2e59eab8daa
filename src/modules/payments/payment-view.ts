/**
 * @module Payment rows as the contract shows them, and the errors that describe a row.
 */
import {
  PaymentConflict,
  PaymentDeclined,
  PaymentProcessingFailed,
  type CapturedPayment,
  type Payment,
} from './contract.js';
import type { PaymentRow } from './payment.repository.js';

export const toCaptured = (row: PaymentRow): CapturedPayment => ({
  paymentId: row.id,
  orderId: row.orderId,
  status: 'CAPTURED',
  amountCents: row.amountCents,
  currency: row.currency,
  last4: row.last4,
  brand: row.brand,
});

export const toPayment = (row: PaymentRow): Payment => ({
  paymentId: row.id,
  orderId: row.orderId,
  userId: row.userId,
  status: row.status,
  amountCents: row.amountCents,
  currency: row.currency,
  last4: row.last4,
  brand: row.brand,
  declineReason: row.declineReason,
  refundedCents: row.refundedCents,
  attempts: row.attempts,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const toRefunded = (row: PaymentRow) => ({
  paymentId: row.id,
  status: 'REFUNDED' as const,
  refundedCents: row.refundedCents,
});

export const declined = (row: PaymentRow) =>
  PaymentDeclined.create(`The card ending ${row.last4} was declined (${row.declineReason ?? 'card_declined'})`, {
    reason: row.declineReason ?? 'card_declined',
    orderId: row.orderId,
  });

export const processingFailed = (orderId: string, why: string) =>
  PaymentProcessingFailed.create(`The payment for order ${orderId} could not be processed: ${why}; try again`, {
    retryable: true,
    orderId,
  });

export type ConflictReason = 'already_refunded' | 'different_charge' | 'not_captured';

const conflictMessages: Record<ConflictReason, string> = {
  already_refunded: 'was charged and then refunded; it cannot be charged again',
  different_charge: 'is already paid with a different amount, currency or user',
  not_captured: 'was never captured, so there is nothing to refund',
};

export const conflict = (reason: ConflictReason, row: PaymentRow) =>
  PaymentConflict.create(`The payment of order ${row.orderId} ${conflictMessages[reason]}`, {
    reason,
    orderId: row.orderId,
    paymentId: row.id,
  });
