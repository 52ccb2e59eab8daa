/**
 * @module The port to whoever moves the money: a card processor (Stripe, Adyen, ... or the simulator).
 *
 * Every request carries a `reference` chosen by the payments module, and a processor must
 * treat a repeated reference as the same request (as payment APIs do with idempotency keys).
 * That, plus `findCharge`, is what lets payments recover from a crash or a timeout between
 * "the processor charged" and "we recorded it" without ever charging twice.
 */
import type { DeclineReason } from './contract.js';

export interface ChargeRequest {
  /** Unique per charge attempt; a repeat returns the first outcome. */
  readonly reference: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The full card: pass it to the processor, never to a log or a table. */
  readonly card: { readonly number: string; readonly expMonth: number; readonly expYear: number; readonly cvc: string };
}

/**
 * A definite outcome. `failed` means the processor says nothing was charged and trying again
 * later may work. A processor that cannot tell (timeout, connection lost) throws instead.
 */
export type ChargeResult =
  | { readonly outcome: 'captured'; readonly processorRef: string }
  | { readonly outcome: 'declined'; readonly reason: DeclineReason }
  | { readonly outcome: 'failed'; readonly message: string };

/** A charge the processor holds, as found by its reference. */
export interface FoundCharge {
  readonly processorRef: string;
  readonly amountCents: number;
  readonly currency: string;
}

export interface RefundRequest {
  /** Unique per refund; a repeat refunds nothing more and returns the first outcome. */
  readonly reference: string;
  /** The charge to refund, as `charge` returned it. */
  readonly processorRef: string;
  readonly amountCents: number;
  readonly currency: string;
}

export type RefundResult =
  | { readonly outcome: 'refunded'; readonly refundRef: string }
  | { readonly outcome: 'failed'; readonly message: string };

/** Implementations must keep card data out of what they throw: errors end up in logs. */
export interface CardProcessor {
  /** A human name for logs, e.g. "simulated". */
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The charge made under `reference`, if the processor made one. */
  findCharge(reference: string): Promise<FoundCharge | undefined>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

