/**
 * @module The payments module's public face: charge a card for an order, refund it, look it up.
 *
 * Orders' checkout saga is the caller: it charges once per order and, when a later step fails,
 * compensates with `refundOrder`. Every method is safe to repeat, so a saga that crashed at any
 * point can simply call again.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';

/** The card was refused. details: `{ reason: 'card_declined' | 'insufficient_funds', orderId }`. Final for that card. */
export const PaymentDeclined = defineError('PAYMENT_DECLINED', 'refused', 'The payment was declined');
/** Transient: nothing was charged, or the outcome is being reconciled. details: `{ retryable: true, orderId? }`. Retry later. */
export const PaymentProcessingFailed = defineError('PAYMENT_PROCESSING_FAILED', 'unavailable', 'The payment could not be processed; try again');
/** No payment with that id, or none for that order. */
export const PaymentNotFound = defineError('PAYMENT_NOT_FOUND', 'not-found', 'Payment not found');
/** The card fails a check the processor would fail too. details: `{ errors: [{ field, message }] }`, fields `card.*`. */
export const CardInvalid = defineError('CARD_INVALID', 'invalid', 'The card is not valid');
/**
 * The request contradicts what already happened to the order's payment. details:
 * `{ reason: 'already_refunded' | 'different_charge' | 'not_captured', orderId, paymentId }`.
 */
export const PaymentConflict = defineError('PAYMENT_CONFLICT', 'conflict', "The request conflicts with the order's payment");

export const paymentStatuses = ['PROCESSING', 'CAPTURED', 'DECLINED', 'FAILED', 'REFUNDING', 'REFUNDED'] as const;
export const cardBrands = ['visa', 'mastercard', 'amex', 'unknown'] as const;
export const declineReasons = ['card_declined', 'insufficient_funds'] as const;

/** Largest amount a payment holds: the range of a PostgreSQL integer, in cents. */
const maxCents = 2_147_483_647;

/** Ids of other modules' entities: opaque text, whatever those modules use. */
const foreignId = z.string().min(1).max(100);
const amountCents = z.number().int().min(1).max(maxCents);
/** ISO 4217 code in upper case, e.g. "EUR". */
const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code in upper case');
const last4 = z.string().regex(/^\d{4}$/);
const brand = z.enum(cardBrands);

/** A card as the customer entered it. Only its last 4 digits and brand are ever stored. */
const card = z.object({
  /** Digits only, no spaces: 12 to 19 of them. */
  number: z.string().regex(/^\d{12,19}$/, 'expected 12 to 19 digits'),
  expMonth: z.number().int().min(1).max(12),
  /** Four digits, e.g. 2030. */
  expYear: z.number().int().min(2000).max(9999),
  /** 3 digits (4 for amex). */
  cvc: z.string().regex(/^\d{3,4}$/, 'expected 3 or 4 digits'),
});

const capturedPayment = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  status: z.literal('CAPTURED'),
  amountCents,
  currency,
  last4,
  brand,
});

/** A payment in any state, as `getPaymentByOrder` reports it. */
const payment = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  userId: z.string(),
  status: z.enum(paymentStatuses),
  amountCents,
  currency,
  last4,
  brand,
  /** Why the latest attempt was declined; null unless status is DECLINED. */
  declineReason: z.enum(declineReasons).nullable(),
  refundedCents: z.number().int().min(0).max(maxCents),
  /** How many charge attempts the order has had (declined ones may be retried). */
  attempts: z.number().int().min(1),
  /** ISO 8601 timestamps. */
  createdAt: z.string(),
  updatedAt: z.string(),
});

const refunded = z.object({
  paymentId: z.string(),
  status: z.literal('REFUNDED'),
  refundedCents: amountCents,
});

const nothingToRefund = z.object({
  orderId: z.string(),
  status: z.literal('NOTHING_TO_REFUND'),
});

export type CapturedPayment = z.infer<typeof capturedPayment>;
export type Payment = z.infer<typeof payment>;
export type PaymentStatus = (typeof paymentStatuses)[number];
export type CardBrand = (typeof cardBrands)[number];
export type DeclineReason = (typeof declineReasons)[number];
export type CardInput = z.infer<typeof card>;

export const paymentsContract = defineContract('payments', 1, {
  methods: {
    /**
     * Charges the card for an order. Idempotent per orderId: while the order has a captured
     * payment, every further call returns that payment and charges nothing, also when calls
     * race. A call that finds another attempt for the order in flight waits for its outcome.
     * After a decline or a processing failure the order may be charged again, e.g. with
     * another card. Raises PAYMENT_CONFLICT when the order's payment was refunded, or was
     * captured for another amount, currency or user.
     */
    charge: {
      summary: 'Charges a card for an order, once per order',
      input: z.object({
        orderId: foreignId,
        userId: foreignId,
        amountCents,
        currency,
        card,
      }),
      output: capturedPayment,
      errors: [CardInvalid, PaymentDeclined, PaymentProcessingFailed, PaymentConflict],
      idempotent: true,
    },
    /**
     * Refunds a captured payment in full. Idempotent: a refunded payment stays refunded and
     * the money goes back once. Raises PAYMENT_CONFLICT (not_captured) for a payment that was
     * declined or failed, since nothing was taken.
     */
    refund: {
      summary: 'Refunds a captured payment in full, once',
      input: z.object({ paymentId: z.string().min(1).max(100) }),
      output: refunded,
      errors: [PaymentNotFound, PaymentConflict, PaymentProcessingFailed],
      idempotent: true,
    },
    /**
     * Refunds whatever the order was charged: REFUNDED with the amount, or NOTHING_TO_REFUND
     * when the order was never charged successfully. Idempotent and safe to call whatever
     * happened before, which is what a saga's compensation needs.
     */
    refundOrder: {
      summary: "Refunds an order's payment if there is one, once",
      input: z.object({ orderId: foreignId }),
      output: z.discriminatedUnion('status', [refunded, nothingToRefund]),
      errors: [PaymentProcessingFailed],
      idempotent: true,
    },
    /** The payment of an order, in whatever state it is; PAYMENT_NOT_FOUND if it has none. */
    getPaymentByOrder: {
      summary: 'Gets the payment of an order',
      input: z.object({ orderId: foreignId }),
      output: payment,
      errors: [PaymentNotFound],
      idempotent: true,
    },
  },
  events: {},
});

export type PaymentsApi = ContractApi<typeof paymentsContract>;
