/**
 * `seam split` (`npm run split`): the project's application as separate services on this
 * machine (deploy/split/topology.yaml unless SEAM_TOPOLOGY says otherwise).
 *
 * Uses DATABASE_URL (a superuser or CREATEROLE login) and REDIS_URL when set, else starts
 * throwaway servers. Prints where the gateway listens; Ctrl-C stops everything it started.
 * SEAM_TOPOLOGY picks another topology; PORT the gateway's port (default 3000); SPLIT_LOGS=on
 * echoes every service's log lines.
 *
 * Exit codes as src/main.ts: 78 (EX_CONFIG) for a topology or configuration that cannot run
 * (a database whose data contradicts a fresh seed included), 1 otherwise (a port in use).
 */
import { z } from 'zod';
import { TopologyError } from '../src/host/topology.js';
import { ConfigError } from '../src/kernel/config.js';
import { parseEnvironment, portNumber } from '../src/kernel/environment.js';
import { logFormatOf } from '../src/kernel/log-format.js';
import { createLogger } from '../src/kernel/logger.js';
import { join } from 'node:path';
import { findProject, loadApplication } from './cli/project.js';
import { projectEntry } from './entry-command.js';
import { startSplit } from './split/run-split.js';

const main = async (): Promise<void> => {
  // No `service` bound: the runner's lines are about the services it starts, and name them.
  const logger = createLogger({ level: 'info' });
  const env = process.env;
  const { PORT: gatewayPort } = parseEnvironment(z.object({ PORT: portNumber.default(3000) }), env);
  const echo = env['SPLIT_LOGS'] === 'on';
  // The services write to a pipe, which would make them choose JSON: echoed to this terminal,
  // their lines are written as this runner writes its own.
  const serviceLogFormat: Record<string, string> = echo ? { LOG_FORMAT: logFormatOf({ env, stdoutIsTerminal: process.stdout.isTTY === true }) } : {};
  const project = findProject();
  const application = await loadApplication(project);
  const split = await startSplit({
    application,
    entry: projectEntry(import.meta.url, project.root, project.mainFile),
    topologyPath: env['SEAM_TOPOLOGY'] ?? join(project.deployDir, 'split', 'topology.yaml'),
    ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : {}),
    ...(env['REDIS_URL'] ? { redisUrl: env['REDIS_URL'] } : {}),
    gatewayPort,
    env: { SEAM_SEED: 'auto', LOG_LEVEL: env['LOG_LEVEL'] ?? 'info', ...serviceLogFormat, ...(env['ADMIN_PASSWORD'] ? { ADMIN_PASSWORD: env['ADMIN_PASSWORD'] } : {}) },
    ...(echo ? { echo: (line: string) => console.log(line) } : {}),
    logger,
  });
  for (const instance of split.instances) console.log(`  ${instance.name.padEnd(18)} ${instance.url}  (pid ${instance.pid})`);
  const throwaway = [...(env['DATABASE_URL'] ? [] : ['PostgreSQL']), ...(env['REDIS_URL'] ? [] : ['Redis'])];
  const servers = throwaway.length === 0 ? '' : ` and the ${throwaway.join(' and ')} server${throwaway.length > 1 ? 's' : ''} it started`;
  console.log(`\nSeam split: gateway listening on ${split.gatewayUrl}  (try ${split.gatewayUrl}/api/v1/products)\nCtrl-C stops every service${servers}.`);
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
  // The message says what to change; a stack trace would only bury it.
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof TopologyError || error instanceof ConfigError ? 78 : 1); // 78: EX_CONFIG; a CliFailure (no application) is 1
});
