/**
 * @module Card checks done before any processor sees a card: shape, Luhn, expiry, CVC.
 *
 * The contract's schema checks the shape only when validation is on (not in production), and
 * says nothing about Luhn or time, so the service runs these checks on every charge: a card
 * that can only fail at the processor fails here, with a 400 that names the field.
 */
import type { FieldIssue } from '../../kernel/errors.js';
import { CardInvalid, type CardBrand, type CardInput } from './contract.js';

/** True when `digits` passes the Luhn checksum that every card number carries. */
export const luhnValid = (digits: string): boolean => {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    // Every second digit from the right is doubled, and a two-digit result summed as 9 less.
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
};

/** The card network, from the number's leading digits. */
export const cardBrand = (number: string): CardBrand => {
  if (number.startsWith('4')) return 'visa';
  if (/^5[1-5]/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  return 'unknown';
};

/** The last four digits: all of the number that may be stored or shown. */
export const cardLast4 = (number: string): string => number.slice(-4);

/** Every problem with `card` at time `now`, as field issues (`card.number`, ...). */
export const cardIssues = (card: CardInput, now: Date): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  if (!/^\d{12,19}$/.test(card.number)) issues.push({ field: 'card.number', message: 'expected 12 to 19 digits' });
  else if (!luhnValid(card.number)) issues.push({ field: 'card.number', message: 'not a valid card number (checksum fails)' });

  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
    issues.push({ field: 'card.expMonth', message: 'expected a month from 1 to 12' });
  } else if (!Number.isInteger(card.expYear) || card.expYear < year) {
    issues.push({ field: 'card.expYear', message: 'the card has expired' });
  } else if (card.expYear === year && card.expMonth < month) {
    // A card is valid through the last day of its expiry month.
    issues.push({ field: 'card.expMonth', message: 'the card has expired' });
  }

  const cvcLength = cardBrand(card.number) === 'amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(card.cvc)) issues.push({ field: 'card.cvc', message: `expected ${cvcLength} digits` });
  return issues;
};

/** Throws CARD_INVALID naming every bad field, without echoing the number or the CVC. */
export const assertValidCard = (card: CardInput, now: Date): void => {
  const issues = cardIssues(card, now);
  if (issues.length === 0) return;
  throw CardInvalid.create(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '), { errors: issues });
};
