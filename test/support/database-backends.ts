/**
 * @module The databases journey and kernel tests run against: embedded PGlite and a real
 * PostgreSQL server started for the run.
 */
import { openDatabase, type DatabaseHandle } from '../../src/kernel/database.js';
import { startPostgres } from './postgres-server.js';

export interface DatabaseBackend {
  readonly name: string;
  /** Environment that points the app at this backend; `release` stops what `prepare` started. */
  prepare(): Promise<{ env: Record<string, string>; release(): Promise<void> }>;
  /** A database handle on this backend, for kernel tests; `stop` stops what it started (not the handle). */
  open(): Promise<{ database: DatabaseHandle; stop(): Promise<void> }>;
}

export const databaseBackends: readonly DatabaseBackend[] = [
  {
    name: 'embedded PGlite',
    prepare: async () => ({ env: { PGLITE_DIR: 'memory://' }, release: async () => undefined }),
    open: async () => ({ database: await openDatabase({ kind: 'pglite', dataDir: 'memory://' }), stop: async () => undefined }),
  },
  {
    name: 'PostgreSQL server',
    prepare: async () => {
      const server = await startPostgres();
      return { env: { DATABASE_URL: server.url }, release: () => server.stop() };
    },
    open: async () => {
      const server = await startPostgres();
      return { database: await openDatabase({ kind: 'postgres', url: server.url }), stop: () => server.stop() };
    },
  },
];
