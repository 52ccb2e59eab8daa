import { describe, expect, it } from 'vitest';
import { SimulatedCardProcessor, testCards } from './simulated-card-processor.js';

const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123' });
const request = (number: string, reference = `ref-${number}`) => ({ reference, amountCents: 1999, currency: 'EUR', card: card(number) });

describe('SimulatedCardProcessor', () => {
  it('follows the common test cards', async () => {
    const processor = new SimulatedCardProcessor();
    await expect(processor.charge(request(testCards.success))).resolves.toMatchObject({ outcome: 'captured', processorRef: expect.stringMatching(/^sim_ch_/) });
    await expect(processor.charge(request(testCards.declined))).resolves.toEqual({ outcome: 'declined', reason: 'card_declined' });
    await expect(processor.charge(request(testCards.insufficientFunds))).resolves.toEqual({ outcome: 'declined', reason: 'insufficient_funds' });
    await expect(processor.charge(request(testCards.processingError))).resolves.toMatchObject({ outcome: 'failed' });
    await expect(processor.charge(request('5555555555554444'))).resolves.toMatchObject({ outcome: 'captured' });
    await expect(processor.charge(request('4242424242424241'))).resolves.toEqual({ outcome: 'declined', reason: 'card_declined' });
    expect(processor.charges.map((charge) => charge.last4)).toEqual(['4242', '4444']);
  });

  it('treats a repeated reference as the same charge, and finds it', async () => {
    const processor = new SimulatedCardProcessor();
    const first = await processor.charge(request(testCards.success, 'attempt-1'));
    const again = await processor.charge(request(testCards.success, 'attempt-1'));
    expect(again).toEqual(first);
    expect(processor.charges).toHaveLength(1);
    const processorRef = first.outcome === 'captured' ? first.processorRef : '';
    await expect(processor.findCharge('attempt-1')).resolves.toEqual({ processorRef, amountCents: 1999, currency: 'EUR' });
    await expect(processor.findCharge('attempt-2')).resolves.toBeUndefined();
  });

  it('keeps no card number, only the last four digits', async () => {
    const processor = new SimulatedCardProcessor();
    await processor.charge(request(testCards.success, 'attempt-1'));
    expect(JSON.stringify(processor.charges)).not.toContain(testCards.success);
  });

  it('refunds a charge once per reference and refuses a second refund of it', async () => {
    const processor = new SimulatedCardProcessor();
    const charged = await processor.charge(request(testCards.success, 'attempt-1'));
    if (charged.outcome !== 'captured') throw new Error('expected a capture');
    const refund = { reference: 'refund-1', processorRef: charged.processorRef, amountCents: 1999, currency: 'EUR' };
    const first = await processor.refund(refund);
    expect(first).toMatchObject({ outcome: 'refunded', refundRef: expect.stringMatching(/^sim_re_/) });
    await expect(processor.refund(refund)).resolves.toEqual(first);
    await expect(processor.refund({ ...refund, reference: 'refund-2' })).resolves.toMatchObject({ outcome: 'failed' });
    await expect(processor.refund({ ...refund, reference: 'refund-3', processorRef: 'sim_ch_nope' })).resolves.toMatchObject({ outcome: 'failed' });
  });
});
