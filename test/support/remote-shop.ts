/**
 * @module Contracts served over RPC by loopback instances that can be made to fail, and bound
 * with the production remote binding (balancer over static discovery, retries, breaker,
 * bulkhead), for tests that compare bindings or break the wire on purpose.
 */
import type { IncomingMessage } from 'node:http';
import { listen, type HttpServer } from '../../src/host/http-server.js';
import type { AnyContract, ContractApi } from '../../src/kernel/contract.js';
import { SeamError, type SeamErrorData } from '../../src/kernel/errors.js';
import { createLogger } from '../../src/kernel/logger.js';
import { staticDiscovery } from '../../src/transport/discovery/discovery.js';
import { rpcServer, type ServedContract } from '../../src/transport/http/rpc-server.js';
import { Balancer } from '../../src/transport/resilience/balancer.js';
import { bindRemote, type RemoteBinding, type ResilienceOptions } from '../../src/transport/resilience/remote-binding.js';
import { credentialsFor, everyoneMayCall } from './rpc-server.js';

/**
 * How an instance treats the requests that reach it:
 * - `none`: serves them;
 * - `proxy-503`: answers 503 with a plain-text page, as a proxy in front of a dead process would (the method does not run);
 * - `drop`: takes the request and cuts the connection unanswered (the method does not run);
 * - `lose-answer`: runs the method, then cuts the connection before the answer leaves.
 */
export type InstanceFault = 'none' | 'proxy-503' | 'drop' | 'lose-answer';

export interface RpcInstance {
  readonly url: string;
  /** What this instance does with the next requests; `none` to begin with. */
  fault: InstanceFault;
  /** Requests that reached this instance for `method` (`<contract>.<method>`, e.g. `identity.register`), whatever it did with them. */
  calls(method: string): number;
  close(): Promise<void>;
}

const logger = createLogger({ level: 'silent' });

/** The caller every client of these instances signs as. */
const remoteCaller = 'gateway';

/** Starts an instance serving `served` on a free loopback port; close it when done. */
export const startRpcInstance = async (served: readonly ServedContract[]): Promise<RpcInstance> => {
  const app = rpcServer({ served, credentials: credentialsFor('server'), callers: everyoneMayCall(served), logger });
  const counts = new Map<string, number>();
  let server: HttpServer | undefined;
  const instance: RpcInstance = {
    url: '',
    fault: 'none',
    calls: (method) => counts.get(method) ?? 0,
    close: async () => {
      await server?.close();
      server = undefined;
    },
  };
  const serve = async (request: Request, env?: { incoming?: IncomingMessage }): Promise<Response> => {
    // /rpc/<contract>/v<major>/<method>
    const [, , contract, , method] = new URL(request.url).pathname.split('/');
    const name = `${contract}.${method}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    switch (instance.fault) {
      case 'none':
        return app.fetch(request, env);
      case 'proxy-503':
        return new Response('503 Service Temporarily Unavailable', { status: 503, headers: { 'content-type': 'text/plain' } });
      case 'drop':
        env?.incoming?.socket.destroy();
        return new Promise<Response>(() => undefined);
      case 'lose-answer':
        await app.fetch(request, env);
        env?.incoming?.socket.destroy();
        return new Promise<Response>(() => undefined);
    }
  };
  server = await listen(serve, '127.0.0.1', 0);
  return Object.assign(instance, { url: server.url });
};

export interface RemoteBindings {
  /** The remote binding of `contract` (made on first use; one breaker per contract, one balancer for all). */
  binding<C extends AnyContract>(contract: C): RemoteBinding<C>;
  api<C extends AnyContract>(contract: C): ContractApi<C>;
}

export interface RemoteBindingsOptions {
  readonly resilience?: Partial<ResilienceOptions>;
  /**
   * Try idle instances in the order `urls` lists them (the balancer's random source pinned),
   * so a test knows which instance a call reaches first. Otherwise the balancer spreads calls.
   */
  readonly inOrder?: boolean;
  readonly timeoutMs?: number;
}

/** Binds contracts to the service whose instances are `urls`, as the composition root binds another service's (remote-contracts.ts). */
export const bindRemotely = (urls: readonly string[], options: RemoteBindingsOptions = {}): RemoteBindings => {
  const service = 'shop';
  // The balancer settings the composition root uses for every service.
  const balancer = new Balancer(staticDiscovery({ [service]: urls }), service, {
    strategy: 'least-outstanding',
    ejectAfterFailures: 3,
    ejectForMs: 5000,
    ...(options.inOrder ? { random: () => 0 } : {}),
  });
  const credentials = credentialsFor(remoteCaller);
  const bindings = new Map<AnyContract, RemoteBinding<AnyContract>>();
  const binding = <C extends AnyContract>(contract: C): RemoteBinding<C> => {
    let bound = bindings.get(contract);
    if (!bound) {
      bound = bindRemote(contract, {
        service,
        balancer,
        logger,
        credentials,
        // Generous: a loaded machine must not turn a slow answer into a transport failure.
        timeoutMs: options.timeoutMs ?? 60_000,
        ...(options.resilience ? { resilience: options.resilience } : {}),
      });
      bindings.set(contract, bound);
    }
    return bound as unknown as RemoteBinding<C>;
  };
  return { binding, api: (contract) => binding(contract).api };
};

/** How a call ended: its value, or the wire form of the SeamError it raised. Anything else is rethrown. */
export type Outcome<T> = { readonly value: T } | { readonly error: SeamErrorData };

export const outcomeOf = async <T>(call: Promise<T>): Promise<Outcome<T>> => {
  try {
    return { value: await call };
  } catch (error) {
    if (error instanceof SeamError) return { error: error.toJSON() };
    throw error;
  }
};

/** The SeamError `call` fails with, in wire form; fails the test if it succeeds or throws anything else. */
export const failureOf = async (call: Promise<unknown>): Promise<SeamErrorData> => {
  const outcome = await outcomeOf(call);
  if ('error' in outcome) return outcome.error;
  throw new Error(`expected a SeamError, got ${JSON.stringify(outcome.value)}`);
};
