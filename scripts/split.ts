/**
 * `npm run split`: the shop as separate services on this machine (see deploy/split/topology.yaml).
 *
 * Uses DATABASE_URL (a superuser or CREATEROLE login) and REDIS_URL when set, else starts
 * throwaway servers. Prints where the gateway listens; Ctrl-C stops everything it started.
 * SEAM_TOPOLOGY picks another topology; PORT the gateway's port (default 3000); SPLIT_LOGS=on
 * echoes every service's log lines.
 */
import { createLogger } from '../src/kernel/logger.js';
import { defaultSplitTopology, startSplit } from './split/run-split.js';

const main = async (): Promise<void> => {
  const logger = createLogger({ level: 'info', base: { service: 'split' } });
  const env = process.env;
  const split = await startSplit({
    topologyPath: env['SEAM_TOPOLOGY'] ?? defaultSplitTopology,
    ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : {}),
    ...(env['REDIS_URL'] ? { redisUrl: env['REDIS_URL'] } : {}),
    gatewayPort: env['PORT'] === undefined ? 3000 : Number(env['PORT']),
    env: { SEAM_SEED: 'auto', LOG_LEVEL: env['LOG_LEVEL'] ?? 'info', ...(env['ADMIN_PASSWORD'] ? { ADMIN_PASSWORD: env['ADMIN_PASSWORD'] } : {}) },
    ...(env['SPLIT_LOGS'] === 'on' ? { echo: (line: string) => console.log(line) } : {}),
    logger,
  });
  for (const instance of split.instances) console.log(`  ${instance.name.padEnd(18)} ${instance.url}  (pid ${instance.pid})`);
  console.log(`\nSeam split: gateway listening on ${split.gatewayUrl}  (try ${split.gatewayUrl}/api/v1/products)\nCtrl-C stops every service${env['DATABASE_URL'] ? '' : ', PostgreSQL and Redis'}.`);
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    void split.stop().then(() => process.exit(0), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
