/**
 * @module The public API's OpenAPI document as the gateway serves it, made without a
 * database or any module running: the gateway is built with APIs that are never called,
 * and asked for GET /api/v1/openapi.json.
 */
import { application } from '../../src/application.js';
import { createGateway } from '../../src/gateway/app.js';
import { publicApiBase } from '../../src/gateway/openapi/document.js';
import { accessTokens } from '../../src/kernel/access-token.js';
import type { AnyContract, ContractApi } from '../../src/kernel/contract.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { ApiDocument } from './compare.js';

/** A contract API whose every method refuses: describing the API calls none. */
const uncallable = <C extends AnyContract>(contract: C): ContractApi<C> =>
  new Proxy({} as ContractApi<C>, {
    get: (_target, method) => () => Promise.reject(new Error(`${contract.id} ${String(method)} is not callable while describing the API`)),
  });

/** The document GET /api/v1/openapi.json answers. */
export const servedApiDocument = async (): Promise<ApiDocument> => {
  const gateway = createGateway({
    publicEdge: application.edge,
    logger: createLogger({ level: 'silent' }),
    bodyLimitBytes: 1_000_000,
    readiness: async () => ({ ready: true, checks: {} }),
    contracts: [],
    resolve: uncallable,
    // Never used to sign or verify anything here; createGateway only needs one.
    tokens: accessTokens('describing-the-api-only-0123456789abcdef', 60),
  });
  const response = await gateway.request(`${publicApiBase}/openapi.json`);
  if (response.status !== 200) throw new Error(`GET ${publicApiBase}/openapi.json answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ApiDocument;
};
