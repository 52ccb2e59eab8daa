/**
 * @module The ways the shop runs that journey tests drive over HTTP: the monolith on embedded
 * PGlite, the monolith on a PostgreSQL server, and the split topology (one process per
 * service instance, real PostgreSQL and Redis). The tests do not know which they talk to.
 */
import { application } from '../../src/application.js';
import type { AnyContract, ContractApi } from '../../src/kernel/contract.js';
import { createLogger } from '../../src/kernel/logger.js';
import { startSplit, type RunningSplit } from '../../scripts/split/run-split.js';
import { databaseBackends } from './database-backends.js';
import { remoteResolver } from './split-client.js';
import { startTestApp } from './test-app.js';
import { testBuildEntry } from './test-build.js';

export interface RunningShop {
  /** The public API's origin (the gateway). */
  readonly url: string;
  /** A contract's API, for checks the public API does not offer (a payment's refund). */
  resolve<C extends AnyContract>(contract: C): ContractApi<C>;
  stop(): Promise<void>;
}

export interface ShopDeployment {
  readonly name: string;
  start(env: Record<string, string>): Promise<RunningShop>;
}

const monoliths: ShopDeployment[] = databaseBackends.map((backend) => ({
  name: `the monolith on ${backend.name}`,
  start: async (env) => {
    const prepared = await backend.prepare();
    try {
      const app = await startTestApp({ ...prepared.env, ...env });
      return {
        url: app.url,
        resolve: (contract) => app.host.api(contract),
        stop: async () => {
          await app.stop();
          await prepared.release();
        },
      };
    } catch (error) {
      await prepared.release();
      throw error;
    }
  },
}));

/**
 * Starts deploy/split/topology.yaml (or the topology at `topologyPath`) on throwaway servers,
 * with test defaults plus `env`; `echo` gets every service's log lines.
 */
export const startTestSplit = (env: Record<string, string> = {}, echo?: (line: string) => void, topologyPath?: string): Promise<RunningSplit> =>
  startSplit({
    application,
    ...(topologyPath ? { topologyPath } : {}),
    entry: testBuildEntry('src/main.ts'),
    gatewayPort: 0,
    env: { NODE_ENV: 'test', SEAM_SEED: 'auto', LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn', ...env },
    logger: createLogger({ level: 'silent' }),
    ...(echo ? { echo } : {}),
  });

const split: ShopDeployment = {
  name: 'the split topology (a process per service)',
  start: async (env) => {
    const running = await startTestSplit(env);
    const remote = await remoteResolver(running);
    return {
      url: running.gatewayUrl,
      resolve: remote.resolve,
      stop: async () => {
        await remote.close();
        await running.stop();
      },
    };
  },
};

export const shopDeployments: readonly ShopDeployment[] = [...monoliths, split];
