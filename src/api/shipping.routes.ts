/**
 * @module Shipping routes: rate quotes for anyone, moving a shipment along for admins.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessTokens } from '../kernel/access-token.js';
import { validationFailed } from '../kernel/errors.js';
import { ParcelTooHeavy, ShipmentAlreadyDelivered, ShipmentCancelled, ShipmentNotFound, shippingContract, UnsupportedCountry, type ShippingApi } from '../modules/shipping/contract.js';
import { authenticate } from '../gateway/auth.js';
import { ratesExample, shipmentExample } from './examples.js';
import { describeOperation } from '../gateway/openapi/operation.js';
import { parseQuery, wholeNumberParam } from '../gateway/query.js';

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

  routes.get(
    '/shipping/rates',
    describeOperation({
      operationId: 'quoteShippingRates',
      examplePath: '/shipping/rates?country=DE&weightGrams=500',
      tag: 'Shipping',
      summary: 'Quotes shipping rates by destination and weight',
      description: 'One rate per shipping service.',
      access: 'public',
      query: ratesQuery,
      requiredQuery: ['country', 'weightGrams'],
      answers: { 200: { description: 'The rates', schema: shippingContract.methods.quoteRates.output, example: ratesExample } },
      errors: [UnsupportedCountry, ParcelTooHeavy],
    }),
    async (c) => {
      const query = parseQuery(ratesQuery, c.req.query());
      const country = required(query.country, 'country');
      const weightGrams = required(query.weightGrams, 'weightGrams');
      return c.json(await shipping.quoteRates({ country, weightGrams }));
    },
  );

  routes.post(
    '/shipments/:id/advance',
    describeOperation({
      operationId: 'advanceShipment',
      examplePath: `/shipments/${shipmentExample.id}/advance`,
      tag: 'Shipping',
      summary: 'Moves a shipment to its next status',
      description: 'CREATED to DISPATCHED to DELIVERED.',
      access: 'admin',
      path: { id: 'The shipment id' },
      answers: { 200: { description: 'The shipment as it is now', schema: shippingContract.methods.advanceShipment.output, example: shipmentExample } },
      errors: [ShipmentNotFound, ShipmentAlreadyDelivered, ShipmentCancelled],
    }),
    authenticate(tokens, { role: 'admin' }),
    async (c) => c.json(await shipping.advanceShipment({ shipmentId: c.req.param('id') })),
  );

  return routes;
};
