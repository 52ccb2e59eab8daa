/**
 * @module Shipping routes: rate quotes for anyone, moving a shipment along for admins.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { validationFailed } from '../kernel/errors.js';
import type { ShippingApi } from '../modules/shipping/contract.js';
import { authenticate } from './auth.js';
import { parseQuery, wholeNumberParam } from './query.js';

// The edge forgives "de" for "DE"; the contract, which never rewrites data, wants upper case.
// The weight's upper bound is only the parameter's range: too heavy a parcel is the shipping
// module's answer (422 PARCEL_TOO_HEAVY), not a malformed request.
const ratesQuery = z.object({
  country: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim().toUpperCase() : undefined),
    z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code (ISO 3166-1 alpha-2)').optional(),
  ),
  weightGrams: wholeNumberParam(1, 999_999_999),
});

/** The value of a parameter the route cannot do without, or a 400 naming it. */
const required = <T>(value: T | undefined, field: string): T => {
  if (value === undefined) throw validationFailed([{ field, message: 'is required' }], 'Invalid query');
  return value;
};

export const shippingRoutes = (shipping: ShippingApi, tokens: AccessTokens): Hono => {
  const routes = new Hono();

  routes.get('/shipping/rates', async (c) => {
    const query = parseQuery(ratesQuery, c.req.query());
    const country = required(query.country, 'country');
    const weightGrams = required(query.weightGrams, 'weightGrams');
    return c.json(await shipping.quoteRates({ country, weightGrams }));
  });

  routes.post('/shipments/:id/advance', authenticate(tokens, { role: 'admin' }), async (c) =>
    c.json(await shipping.advanceShipment({ shipmentId: c.req.param('id') })),
  );

  return routes;
};
