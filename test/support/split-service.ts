/**
 * @module One service of deploy/split/topology.yaml started in this process, through the real
 * composition root (startApp), with static discovery: for tests of what services enforce on
 * each other, without a process per service.
 */
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { RunningApp } from '../../src/host/start.js';
import { createLogger } from '../../src/kernel/logger.js';
import { startTestApp } from './test-app.js';

export const splitTopologyPath = fileURLToPath(new URL('../../deploy/split/topology.yaml', import.meta.url));

export interface SplitService {
  readonly app: RunningApp;
  /** The service's log lines so far, parsed. */
  readonly lines: readonly Record<string, unknown>[];
}

/** Starts `service` on in-memory PGlite; `env` must give REDIS_URL and SEAM_SERVICE_SECRET, and SEAM_SERVICES for what it calls. */
export const startSplitService = async (service: string, env: Record<string, string>): Promise<SplitService> => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = await startTestApp(
    { SEAM_TOPOLOGY: splitTopologyPath, SEAM_SERVICE: service, SEAM_DISCOVERY: 'static', HOST: '127.0.0.1', ...env },
    createLogger({ level: 'info', destination }),
  );
  return { app, lines };
};
