/**
 * Shipping rates through the shipping module's contract, on embedded PGlite and on a real
 * PostgreSQL server: prices by zone and weight and the parcels and countries refused; then
 * the module's two gateway routes, with their problem+json answers and the admin-only advance.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { shippingRoutes } from '../../src/api/shipping.routes.js';
import { errorTitles, problemResponse, toProblem } from '../../src/gateway/problem.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import { commonErrors, toSeamError } from '../../src/kernel/errors.js';
import { shippingContract, type Shipment } from '../../src/modules/shipping/contract.js';
import { databaseBackends } from '../support/database-backends.js';
import { newOrder, rejection, shippingHostOn } from './shipping-host.js';

describe.each(databaseBackends)('shipping module on $name', (backend) => {
  const host = shippingHostOn(backend);

  describe('quoteRates', () => {
    it.each([
      ['DE', 'domestic', 499, 2, 999, 1],
      ['FR', 'EU', 999, 5, 1999, 2],
      ['AT', 'EU', 999, 5, 1999, 2],
      ['US', 'rest of world', 1999, 10, 3999, 4],
      ['GB', 'rest of world', 1999, 10, 3999, 4],
    ])('prices %s (%s) for 1.2 kg', async (country, _zone, standard, standardDays, express, expressDays) => {
      expect(await host.shipping.quoteRates({ country, weightGrams: 1200 })).toEqual({
        rates: [
          { service: 'standard', priceCents: standard, currency: 'EUR', estimatedDays: standardDays },
          { service: 'express', priceCents: express, currency: 'EUR', estimatedDays: expressDays },
        ],
      });
    });

    it.each([
      [1, 499],
      [2000, 499],
      [2001, 699],
      [5000, 699],
      [5001, 999],
      [10_000, 999],
      [10_001, 1699],
      [30_000, 1699],
    ])('prices a domestic parcel of %i g at %i cents (standard)', async (weightGrams, priceCents) => {
      const { rates } = await host.shipping.quoteRates({ country: 'DE', weightGrams });
      expect(rates.find((rate) => rate.service === 'standard')?.priceCents).toBe(priceCents);
    });

    it('refuses a parcel over 30 kg with 422 PARCEL_TOO_HEAVY naming weightGrams', async () => {
      expect(await rejection(host.shipping.quoteRates({ country: 'DE', weightGrams: 30_001 }))).toMatchObject({
        code: 'PARCEL_TOO_HEAVY',
        kind: 'refused',
        details: { maxWeightGrams: 30_000, errors: [{ field: 'weightGrams', message: 'must be at most 30000 grams' }] },
      });
    });

    it.each(['XX', 'RU', 'BR'])('refuses %s with 422 UNSUPPORTED_COUNTRY naming country', async (country) => {
      expect(await rejection(host.shipping.quoteRates({ country, weightGrams: 1000 }))).toMatchObject({
        code: 'UNSUPPORTED_COUNTRY',
        kind: 'refused',
        details: { country, errors: [{ field: 'country', message: `we do not ship to ${country}` }] },
      });
    });

    it.each([
      ['a lower-case country', { country: 'de', weightGrams: 1000 }, 'country'],
      ['a zero weight', { country: 'DE', weightGrams: 0 }, 'weightGrams'],
      ['a fractional weight', { country: 'DE', weightGrams: 1.5 }, 'weightGrams'],
    ])('refuses %s at the contract with 400 VALIDATION_FAILED', async (_, input, field) => {
      expect(await rejection(host.shipping.quoteRates(input))).toMatchObject({ code: 'VALIDATION_FAILED', kind: 'invalid', details: { errors: [{ field }] } });
    });
  });

  describe('routes', () => {
    const tokens = accessTokens('a test secret of at least thirty-two characters', 300);
    const admin = () => tokens.issue({ userId: 'admin-1', email: 'admin@seam.local', role: 'admin' });
    const customer = () => tokens.issue({ userId: 'customer-1', email: 'ada@example.com', role: 'customer' });

    /** The routes behind the gateway's problem+json error handling, as createGateway mounts them. */
    const gateway = (): Hono => {
      const titles = errorTitles([shippingContract], commonErrors);
      const app = new Hono();
      app.onError((error, c) => problemResponse(toProblem(toSeamError(error), { instance: c.req.path, titles })));
      app.route('/api/v1', shippingRoutes(host.shipping, tokens));
      return app;
    };
    const call = async (method: string, path: string, token?: string) => {
      const response = await gateway().request(`/api/v1${path}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
    };

    it('quotes rates for anyone, forgiving a lower-case country', async () => {
      expect(await call('GET', '/shipping/rates?country=de&weightGrams=1200')).toMatchObject({
        status: 200,
        body: { rates: [{ service: 'standard', priceCents: 499 }, { service: 'express', priceCents: 999 }] },
      });
    });

    it.each([
      ['?weightGrams=1200', 'country', 'is required'],
      ['?country=&weightGrams=1200', 'country', 'is required'],
      ['?country=Germany&weightGrams=1200', 'country', 'must be a two-letter country code (ISO 3166-1 alpha-2)'],
      ['?country=DE', 'weightGrams', 'is required'],
      ['?country=DE&weightGrams=abc', 'weightGrams', 'must be a whole number from 1 to 999999999'],
      ['?country=DE&weightGrams=0', 'weightGrams', 'must be a whole number from 1 to 999999999'],
    ])('answers %s with 400 naming %s', async (query, field, message) => {
      const reply = await call('GET', `/shipping/rates${query}`);
      expect(reply).toMatchObject({ status: 400, type: 'application/problem+json', body: { code: 'VALIDATION_FAILED', errors: [{ field, message }] } });
    });

    it.each([
      ['?country=DE&weightGrams=40000', 'PARCEL_TOO_HEAVY', 'weightGrams'],
      ['?country=XX&weightGrams=1000', 'UNSUPPORTED_COUNTRY', 'country'],
    ])('answers %s with 422 %s', async (query, code, field) => {
      expect(await call('GET', `/shipping/rates${query}`)).toMatchObject({ status: 422, body: { code, errors: [{ field }] } });
    });

    it('lets only an admin advance a shipment: 401 without a token, 403 for a customer, 200 for an admin', async () => {
      const created = await host.shipping.createShipment(newOrder());
      const path = `/shipments/${created.id}/advance`;
      expect(await call('POST', path)).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
      expect(await call('POST', path, (await customer()).token)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      const reply = await call('POST', path, (await admin()).token);
      expect(reply).toMatchObject({ status: 200, body: { id: created.id, status: 'DISPATCHED' } });
      expect((reply.body as unknown as Shipment).events.map((event) => event.status)).toEqual(['CREATED', 'DISPATCHED']);
      expect(await call('POST', `/shipments/${randomUUID()}/advance`, (await admin()).token)).toMatchObject({ status: 404, body: { code: 'SHIPMENT_NOT_FOUND' } });
    });
  });
});
