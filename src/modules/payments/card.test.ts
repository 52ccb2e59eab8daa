import { describe, expect, it } from 'vitest';
import { assertValidCard, cardBrand, cardIssues, cardLast4, luhnValid } from './card.js';
import { CardInvalid } from './contract.js';

const now = new Date('2026-05-15T12:00:00Z');
const good = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

describe('luhnValid', () => {
  it.each(['4242424242424242', '4000000000000002', '4000000000009995', '4000000000000119', '5555555555554444', '378282246310005'])(
    'accepts the test card %s',
    (number) => expect(luhnValid(number)).toBe(true),
  );

  it.each(['4242424242424241', '1234567812345678', '42424242x4242424', ''])('rejects %j', (number) => {
    expect(luhnValid(number)).toBe(false);
  });
});

describe('cardBrand and cardLast4', () => {
  it.each([
    ['4242424242424242', 'visa'],
    ['5105105105105100', 'mastercard'],
    ['5555555555554444', 'mastercard'],
    ['5610591081018250', 'unknown'],
    ['378282246310005', 'amex'],
    ['341111111111111', 'amex'],
    ['6011111111111117', 'unknown'],
  ])('%s is %s', (number, brand) => expect(cardBrand(number)).toBe(brand));

  it('keeps only the last four digits', () => expect(cardLast4('4242424242424242')).toBe('4242'));
});

describe('cardIssues', () => {
  it('finds nothing wrong with a good card, including one that expires this month', () => {
    expect(cardIssues(good, now)).toEqual([]);
    expect(cardIssues({ ...good, expMonth: 5, expYear: 2026 }, now)).toEqual([]);
  });

  it.each([
    [{ number: '4242424242424241' }, 'card.number'],
    [{ number: '4242 4242 4242 4242' }, 'card.number'],
    [{ number: '42' }, 'card.number'],
    [{ expYear: 2025 }, 'card.expYear'],
    [{ expYear: 2026, expMonth: 4 }, 'card.expMonth'],
    [{ expMonth: 13 }, 'card.expMonth'],
    [{ cvc: '12' }, 'card.cvc'],
    [{ number: '378282246310005', cvc: '123' }, 'card.cvc'],
  ])('names the field for %j', (change, field) => {
    expect(cardIssues({ ...good, ...change }, now).map((issue) => issue.field)).toEqual([field]);
  });

  it('raises CARD_INVALID naming every field, without echoing the number or the CVC', () => {
    const card = { number: '4242424242424241', expMonth: 1, expYear: 2020, cvc: '98' };
    let error: unknown;
    try {
      assertValidCard(card, now);
    } catch (caught) {
      error = caught;
    }
    expect(CardInvalid.is(error)).toBe(true);
    const invalid = error as { kind: string; message: string; details: { errors: { field: string }[] } };
    expect(invalid.kind).toBe('invalid');
    expect(invalid.details.errors.map((issue) => issue.field)).toEqual(['card.number', 'card.expYear', 'card.cvc']);
    expect(JSON.stringify(invalid.details) + invalid.message).not.toContain(card.number);
    expect(invalid.message).not.toContain('98');
  });
});
