/**
 * @module What the split runner checks before it starts or changes anything: that the
 * gateway's fixed port is free, and that the database it was given would not have a module
 * seeded afresh while other modules' data shows that module's data lives elsewhere.
 *
 * Either mistake otherwise shows up late and misleadingly: a service "ready" because another
 * process answered on its port, or stock made up in a database whose real stock moved out.
 */
import { createServer } from 'node:net';
import { openDatabase } from '../../src/kernel/database.js';
import { SeedRefusedError, seedRefusals } from '../../src/kernel/module-data.js';
import type { AnyModule } from '../../src/kernel/module.js';

/** A port the runner must listen on is taken; the message is one line naming the port and the service. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** Resolves once `port` on `host` could be bound (and is released again); rejects with PortInUseError naming `service` otherwise. */
export const assertPortFree = (host: string, port: number, service: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') return reject(error);
      const why = error.code === 'EADDRINUSE' ? 'is already in use' : 'may not be bound by this user';
      reject(new PortInUseError(`Port ${port} on ${host} ${why}, and the gateway service ${service} must listen there: stop what listens on it (an earlier run, or a service started by hand), or set PORT to a free port.`));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });

/**
 * Throws SeedRefusedError when a service started with seeding on would seed a module afresh
 * in `databaseUrl` although other modules' data there refers to that module's data. Checked
 * here over one login that sees every schema: each service, logged in as its own role, sees
 * only its own schemas and could not tell.
 */
export const assertNothingReseeded = async (databaseUrl: string, modules: readonly AnyModule[]): Promise<void> => {
  const database = await openDatabase({ kind: 'postgres', url: databaseUrl });
  try {
    const refusal = await seedRefusals(database.db, modules);
    if (refusal !== undefined) throw new SeedRefusedError(refusal);
  } finally {
    await database.close();
  }
};
