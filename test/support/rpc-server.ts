/**
 * @module Serves contracts over the HTTP binding on a free loopback port, for tests.
 */
import { listen, type HttpServer } from '../../src/app/http-server.js';
import { createLogger } from '../../src/kernel/logger.js';
import { rpcServer, type ServedContract } from '../../src/transport/http/rpc-server.js';
import { serviceCredentials, type ServiceCredentials } from '../../src/transport/http/service-credential.js';

export const testSecret = 'rpc-test-secret-rpc-test-secret-0123456789';

export const credentialsFor = (service: string, secret = testSecret): ServiceCredentials => serviceCredentials({ secret, service });

/** Starts an RPC server for `served`; close it when done. */
export const serveRpc = (served: readonly ServedContract[], secret = testSecret): Promise<HttpServer> =>
  listen(rpcServer({ served, credentials: credentialsFor('server', secret), logger: createLogger({ level: 'silent' }) }).fetch, '127.0.0.1', 0);
