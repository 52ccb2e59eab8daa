/**
 * The public HTTP status of every declared error code. Modules declare kinds and the edge
 * chooses statuses (src/gateway/public-status.ts, src/api/statuses.ts), so a kind changed in a contract, or an
 * entry dropped from the edge's table, would change what clients see without a word: this
 * pins each code's status. A code added since (a module made by `seam new module`) answers
 * with its kind's status unless the edge's table says otherwise, and is checked for that.
 */
import { describe, expect, it } from 'vitest';
import { application } from '../../src/application.js';
import { errorResponse } from '../../src/gateway/problem.js';
import { httpStatusOf } from '../../src/gateway/public-status.js';
import { httpStatusOfKind } from '../../src/kernel/failures.js';
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

const pinned = new Map<string, number>(Object.entries(publicStatuses));

/** What a code must answer with: its pinned status, or, for a code newer than the table, its kind's. */
const expectedStatus = (spec: { code: string; kind: Parameters<typeof httpStatusOfKind>[0] }): number => pinned.get(spec.code) ?? httpStatusOfKind(spec.kind);

describe('the public status of every error code', () => {
  it('is the pinned one for every pinned code, and every pinned code is still declared', async () => {
    const declared = [...layerErrors, ...(await contractFileErrors())];
    const pinnedDeclared = declared.filter((spec) => pinned.has(spec.code));
    expect(Object.fromEntries(pinnedDeclared.map((spec) => [spec.code, httpStatusOf(spec.create(), shopStatuses)]))).toEqual(publicStatuses);
  });

  it("is its kind's for a code newer than the table: no override reaches it unpinned", async () => {
    const newer = [...layerErrors, ...(await contractFileErrors())].filter((spec) => !pinned.has(spec.code));
    for (const spec of newer) expect({ code: spec.code, status: httpStatusOf(spec.create(), shopStatuses) }).toEqual({ code: spec.code, status: httpStatusOfKind(spec.kind) });
  });

  it('is what the problem response answers with', async () => {
    for (const spec of [...layerErrors, ...(await contractFileErrors())]) {
      const response = errorResponse(spec.create(), context);
      expect({ code: spec.code, status: response.status }).toEqual({ code: spec.code, status: expectedStatus(spec) });
      expect(await response.json()).toMatchObject({ code: spec.code, status: response.status });
    }
  });

  it('covers every error a contract method declares, pinned or by its kind', () => {
    const raised = application.modules.flatMap((module) => Object.values(module.provides.methods).flatMap((method) => method.errors));
    for (const spec of raised) expect(httpStatusOf(spec.create(), shopStatuses), spec.code).toBe(expectedStatus(spec));
  });
});
