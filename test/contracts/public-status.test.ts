/**
 * The public HTTP status of every declared error code. Modules declare kinds and the edge
 * chooses statuses (src/gateway/public-status.ts, src/api/statuses.ts), so a kind changed in a contract, or an
 * entry dropped from the edge's table, would change what clients see without a word: this
 * pins each code's status, and a code added without its status here fails too.
 */
import { describe, expect, it } from 'vitest';
import { application } from '../../src/application.js';
import { errorResponse } from '../../src/gateway/problem.js';
import { httpStatusOf } from '../../src/gateway/public-status.js';
import { shopStatuses } from '../../src/api/statuses.js';
import { contractFileErrors, layerErrors } from './declared-errors.js';

const publicStatuses = {
  // the kernel's
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  REMOTE_CALL_FAILED: 503,
  OUTCOME_UNKNOWN: 503,
  // HTTP's own, raised at the edge
  MALFORMED_REQUEST: 400,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  LOGIN_LOCKED: 429,
  // the RPC server's
  CALLER_NOT_ALLOWED: 403,
  UNKNOWN_CONTRACT: 404,
  UNKNOWN_CONTRACT_VERSION: 404,
  UNKNOWN_METHOD: 404,
  // catalog
  PRODUCT_NOT_FOUND: 404,
  INVALID_CURSOR: 400,
  SKU_TAKEN: 409,
  CATEGORY_NOT_FOUND: 422,
  // identity
  EMAIL_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  USER_NOT_FOUND: 404,
  // inventory
  OUT_OF_STOCK: 409,
  RESERVATION_NOT_FOUND: 404,
  RESERVATION_EXPIRED: 409,
  // orders
  ORDER_NOT_FOUND: 404,
  ORDER_NOT_CANCELLABLE: 409,
  UNKNOWN_PRODUCT: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYMENT_FAILED: 503,
  CHECKOUT_FAILED: 409,
  MIXED_CURRENCIES: 422,
  ORDER_TOO_LARGE: 422,
  // payments
  PAYMENT_DECLINED: 402,
  PAYMENT_PROCESSING_FAILED: 503,
  PAYMENT_NOT_FOUND: 404,
  CARD_INVALID: 400,
  PAYMENT_CONFLICT: 409,
  // shipping
  UNSUPPORTED_COUNTRY: 422,
  PARCEL_TOO_HEAVY: 422,
  SHIPMENT_NOT_FOUND: 404,
  SHIPMENT_ALREADY_DELIVERED: 409,
  SHIPMENT_CANCELLED: 409,
  SHIPMENT_ALREADY_DISPATCHED: 409,
};

const context = { instance: '/api/v1/anything', titles: new Map<string, string>(), statuses: shopStatuses };

describe('the public status of every error code', () => {
  it('is the pinned one, for every code declared anywhere', async () => {
    const declared = [...layerErrors, ...(await contractFileErrors())];
    expect(Object.fromEntries(declared.map((spec) => [spec.code, httpStatusOf(spec.create(), shopStatuses)]))).toEqual(publicStatuses);
  });

  it('is what the problem response answers with', async () => {
    for (const spec of [...layerErrors, ...(await contractFileErrors())]) {
      const response = errorResponse(spec.create(), context);
      expect({ code: spec.code, status: response.status }).toEqual({ code: spec.code, status: publicStatuses[spec.code as keyof typeof publicStatuses] });
      expect(await response.json()).toMatchObject({ code: spec.code, status: response.status });
    }
  });

  it('covers every error a contract method declares', () => {
    const raised = application.modules.flatMap((module) => Object.values(module.provides.methods).flatMap((method) => method.errors.map((spec) => spec.code)));
    expect(Object.keys(publicStatuses)).toEqual(expect.arrayContaining(raised));
  });
});
