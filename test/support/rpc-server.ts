/**
 * @module Serves contracts over the HTTP binding on a free loopback port, for tests.
 */
import { listen, type HttpServer } from '../../src/host/http-server.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { CallerPermissions } from '../../src/transport/http/caller-permissions.js';
import { rpcServer, type ServedContract } from '../../src/transport/http/rpc-server.js';
import { serviceCredentials, type ServiceCredentials } from '../../src/transport/http/service-credential.js';

export const testSecret = 'rpc-test-secret-rpc-test-secret-0123456789';

export const credentialsFor = (service: string, secret: string | readonly string[] = testSecret): ServiceCredentials => serviceCredentials({ secret, service });

/** The callers the transport tests sign as, each allowed every served contract. */
export const everyoneMayCall = (served: readonly ServedContract[]): CallerPermissions => {
  const names = served.map(({ contract }) => contract.name);
  return { caller: names, gateway: names };
};

/** Starts an RPC server for `served`; close it when done. */
export const serveRpc = (served: readonly ServedContract[], secret: string | readonly string[] = testSecret, callers = everyoneMayCall(served)): Promise<HttpServer> =>
  listen(rpcServer({ served, credentials: credentialsFor('server', secret), callers, logger: createLogger({ level: 'silent' }) }).fetch, '127.0.0.1', 0);
