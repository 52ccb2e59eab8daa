/**
 * @module The payments module's implementation of its contract: charges, refunds, look-ups.
 *
 * Each call claims the order's payment row for one step (a charge attempt or a refund) with a
 * conditional write, calls the processor outside any transaction, then records the outcome
 * only if it still holds the claim. A call that finds a step in flight waits for it; one that
 * finds a step whose owner died (lease run out) asks the processor what happened, so a crash
 * between "charged" and "recorded" never leads to a second charge.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../kernel/logger.js';
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import { assertValidCard, cardBrand, cardLast4 } from './card.js';
import type { CardProcessor, ChargeRequest, ChargeResult } from './card-processor.js';
import { PaymentNotFound, type PaymentsApi, type paymentsContract } from './contract.js';
import type { AttemptOutcome, PaymentRow, PaymentStore } from './payment.repository.js';
import { conflict, declined, processingFailed, toCaptured, toPayment, toRefunded } from './payment-view.js';

type Input<M extends keyof PaymentsApi> = MethodInput<typeof paymentsContract, M>;
type Output<M extends keyof PaymentsApi> = Promise<MethodOutput<typeof paymentsContract, M>>;

export interface PaymentsServiceOptions {
  /** How long a call owns a charge attempt or refund; far longer than a processor call may take. */
  readonly leaseMs: number;
  /** How long a call waits for another call's step on the same payment before answering 503. */
  readonly inFlightWaitMs: number;
  /** The time cards expire against. */
  readonly now: () => Date;
}

/** What a refund found: done, never charged (nothing to do), or no payment at all. */
type RefundOutcome = { readonly kind: 'refunded'; readonly row: PaymentRow } | { readonly kind: 'not_charged'; readonly row: PaymentRow } | { readonly kind: 'missing' };

const toOutcome = (result: ChargeResult): AttemptOutcome => {
  switch (result.outcome) {
    case 'captured':
      return { outcome: 'CAPTURED', processorRef: result.processorRef };
    case 'declined':
      return { outcome: 'DECLINED', reason: result.reason };
    case 'failed':
      return { outcome: 'FAILED' };
  }
};

/** A processor error's name and message, never the error object: it could hold the request. */
const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : typeof error);

export class PaymentsService implements PaymentsApi {
  constructor(
    private readonly store: PaymentStore,
    private readonly processor: CardProcessor,
    private readonly logger: Logger,
    private readonly options: PaymentsServiceOptions,
  ) {}

  async charge(input: Input<'charge'>): Output<'charge'> {
    assertValidCard(input.card, this.options.now());
    const request = {
      orderId: input.orderId,
      userId: input.userId,
      amountCents: input.amountCents,
      currency: input.currency,
      last4: cardLast4(input.card.number),
      brand: cardBrand(input.card.number),
    };
    const waitUntil = Date.now() + this.options.inFlightWaitMs;
    for (let round = 0; ; round += 1) {
      const claim = await this.store.claimCharge({ ...request, paymentId: randomUUID(), attemptId: randomUUID() }, this.options.leaseMs);
      const row = claim.row;
      if (claim.claimed) {
        const captured = await this.#attempt(row, input.card);
        if (captured) return toCaptured(captured);
        continue;
      }
      switch (row.status) {
        case 'CAPTURED':
          if (row.amountCents !== input.amountCents || row.currency !== input.currency || row.userId !== input.userId) {
            throw conflict('different_charge', row);
          }
          return toCaptured(row);
        case 'REFUNDING':
        case 'REFUNDED':
          throw conflict('already_refunded', row);
        case 'PROCESSING':
          await (row.leaseExpired ? this.#reconcile(row) : this.#wait(waitUntil, round, row.orderId));
          break;
        default:
          // DECLINED or FAILED: an attempt ended between our claim and our read; claim again.
          break;
      }
    }
  }

  async refund(input: Input<'refund'>): Output<'refund'> {
    const outcome = await this.#refund(() => this.store.findById(input.paymentId));
    if (outcome.kind === 'missing') throw PaymentNotFound.create(`No payment with id ${input.paymentId}`, { paymentId: input.paymentId });
    if (outcome.kind === 'not_charged') throw conflict('not_captured', outcome.row);
    return toRefunded(outcome.row);
  }

  async refundOrder(input: Input<'refundOrder'>): Output<'refundOrder'> {
    const outcome = await this.#refund(() => this.store.findByOrder(input.orderId));
    return outcome.kind === 'refunded' ? toRefunded(outcome.row) : { orderId: input.orderId, status: 'NOTHING_TO_REFUND' };
  }

  async getPaymentByOrder(input: Input<'getPaymentByOrder'>): Output<'getPaymentByOrder'> {
    const row = await this.store.findByOrder(input.orderId);
    if (!row) throw PaymentNotFound.create(`Order ${input.orderId} has no payment`, { orderId: input.orderId });
    return toPayment(row);
  }

  /**
   * Runs the attempt this call claimed. Returns the captured row, throws for a decline or a
   * failure, and returns undefined when the attempt was taken over meanwhile (the caller then
   * looks at the row again).
   */
  async #attempt(row: PaymentRow, card: ChargeRequest['card']): Promise<PaymentRow | undefined> {
    const context = { orderId: row.orderId, paymentId: row.id, attemptId: row.attemptId };
    let result: ChargeResult;
    try {
      result = await this.processor.charge({ reference: row.attemptId, amountCents: row.amountCents, currency: row.currency, card });
    } catch (error) {
      // The processor may or may not have charged. The attempt stays PROCESSING with its lease
      // ended, so the next call reconciles it through findCharge at once.
      this.logger.warn({ ...context, error: describe(error) }, 'card processor call failed; outcome unknown');
      await this.store.releaseLease(row);
      throw processingFailed(row.orderId, 'the card processor did not answer');
    }
    const finished = await this.store.finishAttempt(row, toOutcome(result));
    if (!finished) {
      await this.#afterLostClaim(row, result);
      return undefined;
    }
    this.logger.info({ ...context, outcome: finished.status, last4: row.last4, brand: row.brand, amountCents: row.amountCents }, 'charge attempt finished');
    if (finished.status === 'DECLINED') throw declined(finished);
    if (finished.status === 'FAILED') throw processingFailed(row.orderId, 'the card processor reported a transient error');
    return finished;
  }

  /**
   * Our lease ran out during the processor call and someone reconciled the attempt. If we
   * charged and they did not see it, the charge is recorded nowhere: give the money back.
   */
  async #afterLostClaim(row: PaymentRow, result: ChargeResult): Promise<void> {
    if (result.outcome !== 'captured') return;
    const current = await this.store.findByOrder(row.orderId);
    if (current?.processorRef === result.processorRef) return;
    const context = { orderId: row.orderId, paymentId: row.id, attemptId: row.attemptId, processorRef: result.processorRef };
    const refund = await this.processor
      .refund({ reference: `orphan-${row.attemptId}`, processorRef: result.processorRef, amountCents: row.amountCents, currency: row.currency })
      .catch((error: unknown) => ({ outcome: 'failed' as const, message: describe(error) }));
    if (refund.outcome === 'refunded') {
      this.logger.warn(context, 'refunded a charge that landed after its attempt was abandoned');
      return;
    }
    this.logger.error({ ...context, error: refund.message }, 'a charge landed after its attempt was abandoned and could not be refunded; refund it by hand');
    throw processingFailed(row.orderId, 'a late charge could not be reconciled');
  }

  /** Settles an attempt whose owner died: captured if the processor has its charge, else abandoned. */
  async #reconcile(row: PaymentRow): Promise<void> {
    if (!(await this.store.claimStaleAttempt(row, this.options.leaseMs))) return;
    let found;
    try {
      found = await this.processor.findCharge(row.attemptId);
    } catch (error) {
      await this.store.releaseLease(row);
      this.logger.warn({ orderId: row.orderId, attemptId: row.attemptId, error: describe(error) }, 'could not reconcile a charge attempt');
      throw processingFailed(row.orderId, 'an earlier attempt is being reconciled with the card processor');
    }
    const outcome: AttemptOutcome = found ? { outcome: 'CAPTURED', processorRef: found.processorRef } : { outcome: 'ABANDONED' };
    await this.store.finishAttempt(row, outcome);
    this.logger.warn({ orderId: row.orderId, attemptId: row.attemptId, outcome: outcome.outcome }, 'reconciled an attempt whose caller vanished');
  }

  /** Refunds the payment `find` returns, once, waiting out a charge or refund in flight. */
  async #refund(find: () => Promise<PaymentRow | undefined>): Promise<RefundOutcome> {
    const waitUntil = Date.now() + this.options.inFlightWaitMs;
    for (let round = 0; ; round += 1) {
      const row = await find();
      if (!row) return { kind: 'missing' };
      switch (row.status) {
        case 'REFUNDED':
          return { kind: 'refunded', row };
        case 'DECLINED':
        case 'FAILED':
          return { kind: 'not_charged', row };
        case 'PROCESSING':
          await (row.leaseExpired ? this.#reconcile(row) : this.#wait(waitUntil, round, row.orderId));
          break;
        case 'REFUNDING':
        case 'CAPTURED': {
          if (row.status === 'REFUNDING' && !row.leaseExpired) {
            await this.#wait(waitUntil, round, row.orderId);
            break;
          }
          // CAPTURED, or a refund whose owner died: the processor's refund reference makes
          // sending that one again harmless.
          const claimed = await this.store.claimRefund(row.id, this.options.leaseMs);
          if (claimed) return { kind: 'refunded', row: await this.#runRefund(claimed) };
          break;
        }
      }
    }
  }

  async #runRefund(row: PaymentRow): Promise<PaymentRow> {
    if (row.processorRef === null) throw new Error(`payment ${row.id} is ${row.status} without a processor reference`);
    const request = { reference: `refund-${row.id}`, processorRef: row.processorRef, amountCents: row.amountCents, currency: row.currency };
    const result = await this.processor.refund(request).catch((error: unknown) => ({ outcome: 'failed' as const, message: describe(error) }));
    if (result.outcome === 'failed') {
      // Back to CAPTURED: the next call sends the same reference, which refunds at most once.
      await this.store.cancelRefund(row.id);
      this.logger.warn({ orderId: row.orderId, paymentId: row.id, error: result.message }, 'refund failed');
      throw processingFailed(row.orderId, 'the refund could not be processed');
    }
    const finished = (await this.store.finishRefund(row.id, result.refundRef)) ?? (await this.store.findById(row.id));
    if (finished?.status !== 'REFUNDED') throw processingFailed(row.orderId, 'the refund is still being recorded');
    this.logger.info({ orderId: row.orderId, paymentId: row.id, refundedCents: finished.refundedCents }, 'payment refunded');
    return finished;
  }

  /** Waits a little for a step in flight, or gives up with a retryable 503 once `waitUntil` passes. */
  async #wait(waitUntil: number, round: number, orderId: string): Promise<void> {
    const remaining = waitUntil - Date.now();
    if (remaining <= 0) throw processingFailed(orderId, 'another call for this order is still in progress');
    await sleep(Math.min(10 * 2 ** Math.min(round, 5), 250, remaining));
  }
}
