/**
 * @module The databases journey tests run against: embedded PGlite and a real PostgreSQL
 * server started for the run.
 */
import { startPostgres } from './postgres-server.js';

export interface DatabaseBackend {
  readonly name: string;
  /** Environment that points the app at this backend; `release` stops what `prepare` started. */
  prepare(): Promise<{ env: Record<string, string>; release(): Promise<void> }>;
}

export const databaseBackends: readonly DatabaseBackend[] = [
  {
    name: 'embedded PGlite',
    prepare: async () => ({ env: { PGLITE_DIR: 'memory://' }, release: async () => undefined }),
  },
  {
    name: 'PostgreSQL server',
    prepare: async () => {
      const server = await startPostgres();
      return { env: { DATABASE_URL: server.url }, release: () => server.stop() };
    },
  },
];
