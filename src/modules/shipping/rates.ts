/**
 * @module Shipping zones and the price list: which countries we ship to, and what it costs.
 *
 * The tables are explicit on purpose: a country we have no carrier agreement for must be
 * refused, not silently priced as "rest of world".
 */
import type { FieldIssue } from '../../kernel/errors.js';
import { maxWeightGrams, ParcelTooHeavy, UnsupportedCountry, type Rate, type ShippingService } from './contract.js';

export type Zone = 'domestic' | 'eu' | 'world';

const euCountries = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE',
  'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
] as const;

/** Outside the EU: only where we have a carrier. */
const worldCountries = ['AU', 'CA', 'CH', 'GB', 'IS', 'JP', 'NO', 'NZ', 'SG', 'US'] as const;

/** ISO 3166-1 alpha-2 → zone. We ship from Germany. */
const zones: ReadonlyMap<string, Zone> = new Map<string, Zone>([
  ['DE', 'domestic'],
  ...euCountries.map((code): [string, Zone] => [code, 'eu']),
  ...worldCountries.map((code): [string, Zone] => [code, 'world']),
]);

/** Upper bounds (inclusive, grams) of the weight bands; the last is the heaviest parcel we carry. */
const bandLimits = [2_000, 5_000, 10_000, maxWeightGrams] as const;

interface Tariff {
  /** Price in cents per weight band, in the order of `bandLimits`. */
  readonly prices: readonly [number, number, number, number];
  readonly estimatedDays: number;
}

const priceList: Record<Zone, Record<ShippingService, Tariff>> = {
  domestic: {
    standard: { prices: [499, 699, 999, 1699], estimatedDays: 2 },
    express: { prices: [999, 1299, 1699, 2499], estimatedDays: 1 },
  },
  eu: {
    standard: { prices: [999, 1399, 1999, 3499], estimatedDays: 5 },
    express: { prices: [1999, 2599, 3499, 5499], estimatedDays: 2 },
  },
  world: {
    standard: { prices: [1999, 2999, 4499, 7999], estimatedDays: 10 },
    express: { prices: [3999, 5499, 7999, 12999], estimatedDays: 4 },
  },
};

const services: readonly ShippingService[] = ['standard', 'express'];

/** The zone of `country`, or UNSUPPORTED_COUNTRY naming `field`. */
export const zoneOf = (country: string, field = 'country'): Zone => {
  const zone = zones.get(country);
  if (!zone) {
    const issue: FieldIssue = { field, message: `we do not ship to ${country}` };
    throw UnsupportedCountry.create(`${field}: we do not ship to ${country}`, { country, errors: [issue] });
  }
  return zone;
};

/** The index of the weight band of `weightGrams`, or PARCEL_TOO_HEAVY naming `field`. */
export const weightBand = (weightGrams: number, field = 'weightGrams'): number => {
  const band = bandLimits.findIndex((limit) => weightGrams <= limit);
  if (band < 0) {
    const issue: FieldIssue = { field, message: `must be at most ${maxWeightGrams} grams` };
    throw ParcelTooHeavy.create(`${field}: ${weightGrams} g is over the ${maxWeightGrams} g we carry`, { maxWeightGrams, errors: [issue] });
  }
  return band;
};

/** Every service's rate for a parcel; raises what `zoneOf` and `weightBand` raise. */
export const quote = (country: string, weightGrams: number): Rate[] => {
  const zone = zoneOf(country);
  const band = weightBand(weightGrams);
  return services.map((service) => {
    const tariff = priceList[zone][service];
    // `band` indexes a four-element tuple and is in range by construction.
    return { service, priceCents: tariff.prices[band] ?? tariff.prices[3], currency: 'EUR' as const, estimatedDays: tariff.estimatedDays };
  });
};
