/**
 * @module A card processor that moves no money, following the common payment-API test cards.
 *
 * 4242424242424242 succeeds, 4000000000000002 is declined (card_declined), 4000000000009995
 * is declined for insufficient_funds, 4000000000000119 fails with a transient processing
 * error; any other Luhn-valid number succeeds. It keeps what it did in memory (without card
 * numbers), so tests can count the charges that really happened.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { cardLast4, luhnValid } from './card.js';
import type { CardProcessor, ChargeRequest, ChargeResult, FoundCharge, RefundRequest, RefundResult } from './card-processor.js';

export const testCards = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  processingError: '4000000000000119',
} as const;

/** A charge as the simulator recorded it. */
export interface SimulatedCharge {
  readonly reference: string;
  readonly processorRef: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly last4: string;
  refundRef: string | undefined;
}

export interface SimulatedCardProcessorOptions {
  /** Delay before each answer, to let tests overlap concurrent calls. */
  readonly latencyMs?: number;
}

export class SimulatedCardProcessor implements CardProcessor {
  readonly name = 'simulated';
  readonly #charges = new Map<string, SimulatedCharge>();
  // Declines are remembered too: a repeated reference must get the same answer.
  readonly #outcomes = new Map<string, ChargeResult>();
  readonly #refunds = new Map<string, RefundResult>();

  constructor(private readonly options: SimulatedCardProcessorOptions = {}) {}

  /** Every charge that succeeded, in order. */
  get charges(): readonly SimulatedCharge[] {
    return [...this.#charges.values()];
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await this.#delay();
    const previous = this.#outcomes.get(request.reference);
    if (previous) return previous;
    const result = this.#decide(request);
    // A transient failure is not an answer to remember: the same attempt may succeed later.
    if (result.outcome !== 'failed') this.#outcomes.set(request.reference, result);
    if (result.outcome === 'captured') {
      this.#charges.set(request.reference, {
        reference: request.reference,
        processorRef: result.processorRef,
        amountCents: request.amountCents,
        currency: request.currency,
        last4: cardLast4(request.card.number),
        refundRef: undefined,
      });
    }
    return result;
  }

  async findCharge(reference: string): Promise<FoundCharge | undefined> {
    await this.#delay();
    const charge = this.#charges.get(reference);
    return charge && { processorRef: charge.processorRef, amountCents: charge.amountCents, currency: charge.currency };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    await this.#delay();
    const previous = this.#refunds.get(request.reference);
    if (previous) return previous;
    const charge = [...this.#charges.values()].find((candidate) => candidate.processorRef === request.processorRef);
    if (!charge) return { outcome: 'failed', message: `no charge ${request.processorRef}` };
    if (charge.refundRef !== undefined) return { outcome: 'failed', message: `charge ${request.processorRef} is already refunded` };
    if (request.amountCents !== charge.amountCents || request.currency !== charge.currency) {
      return { outcome: 'failed', message: 'only full refunds are supported' };
    }
    charge.refundRef = `sim_re_${randomUUID()}`;
    const result: RefundResult = { outcome: 'refunded', refundRef: charge.refundRef };
    this.#refunds.set(request.reference, result);
    return result;
  }

  #decide(request: ChargeRequest): ChargeResult {
    switch (request.card.number) {
      case testCards.declined:
        return { outcome: 'declined', reason: 'card_declined' };
      case testCards.insufficientFunds:
        return { outcome: 'declined', reason: 'insufficient_funds' };
      case testCards.processingError:
        return { outcome: 'failed', message: 'simulated processing error' };
      default:
        // A real processor refuses a number that fails the checksum; so does this one.
        return luhnValid(request.card.number)
          ? { outcome: 'captured', processorRef: `sim_ch_${randomUUID()}` }
          : { outcome: 'declined', reason: 'card_declined' };
    }
  }

  async #delay(): Promise<void> {
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
  }
}
