import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-errors.js';
import { moduleNames } from './names.js';

describe('moduleNames', () => {
  it('derives every spelling of a plural module and of the thing it keeps', () => {
    expect(moduleNames('reviews')).toEqual({
      module: 'reviews',
      camel: 'reviews',
      pascal: 'Reviews',
      kebab: 'reviews',
      words: 'reviews',
      one: { camel: 'review', pascal: 'Review', kebab: 'review', constant: 'REVIEW', words: 'review' },
    });
  });

  it('keeps words apart in a name with underscores', () => {
    const names = moduleNames('loyalty_points');
    expect([names.camel, names.pascal, names.kebab, names.words]).toEqual(['loyaltyPoints', 'LoyaltyPoints', 'loyalty-points', 'loyalty points']);
    expect(names.one).toEqual({ camel: 'loyaltyPoint', pascal: 'LoyaltyPoint', kebab: 'loyalty-point', constant: 'LOYALTY_POINT', words: 'loyalty point' });
  });

  it.each([
    ['categories', 'category'],
    ['boxes', 'box'],
    ['addresses', 'address'],
    ['status', 'status'],
    ['feedback', 'feedback'],
  ])('takes %s to keep a %s', (name, one) => {
    expect(moduleNames(name).one.camel).toBe(one);
  });

  it.each([
    ['Reviews', /not a module name/],
    ['2fa', /not a module name/],
    ['user-profiles', /not a module name/],
    ['trailing_', /not a module name/],
    ['class', /reserved word/],
    ['pg_stats', /reserved word/],
    ['outbox', /reserved word/],
    ['databases', /framework's Database/],
    ['a'.repeat(41), /too long/],
  ])('refuses %s as a usage error', (name, message) => {
    expect(() => moduleNames(name)).toThrow(UsageError);
    expect(() => moduleNames(name)).toThrow(message);
  });
});
