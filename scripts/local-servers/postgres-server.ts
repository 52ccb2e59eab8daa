/**
 * @module Starts a real, throwaway PostgreSQL server from the machine's binaries (tests, `npm run split`).
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, chownSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { forgetOnExit, freePort, killOnExit, readLog, stopChild, tail, track, type Tracked } from './child-process.js';
import { initialiseDataDir, type Owner } from './postgres-template.js';

export interface PostgresServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 5;

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

// Both binaries must come from one directory, or initdb and postgres may be different major versions.
const hasServerBinaries = (dir: string): boolean =>
  isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres'));

const findBinDir = (): string => {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const initdb = join(dir, 'initdb');
    if (!isExecutable(initdb)) continue;
    // PATH entries are often symlinks into the versioned directory (/usr/local/bin/initdb ->
    // /usr/lib/postgresql/15/bin/initdb); that directory is the one with the full matching tool set.
    const realDir = dirname(realpathSync(initdb));
    if (hasServerBinaries(realDir)) return realDir;
    if (hasServerBinaries(dir)) return dir;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (hasServerBinaries(dir)) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb and postgres) were not found on PATH or in /usr/lib/postgresql/*/bin. ' +
      'Install them, e.g. `apt-get install postgresql`.',
  );
};

// PostgreSQL refuses to run as root, so when we are root the server is handed to an ordinary account.
const unprivilegedOwner = (): Owner | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  const accounts = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const [, , uid, gid] = accounts.find((fields) => fields[0] === name) ?? [];
    if (uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return { uid: 65534, gid: 65534 };
};

const run = (command: string, args: readonly string[], options: SpawnOptions): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (${code ?? signal}):\n${tail(output)}`)),
    );
  });

type Sql = ReturnType<typeof postgres>;

// "Accepts connections" is not enough: if another server grabbed the port between freePort() and our
// bind, we would happily talk to it. Asking for the data directory proves the server is ours.
const waitUntilReady = async (server: Tracked, sql: Sql, dataDir: string): Promise<'ready' | 'exited'> => {
  const ours = new Set([dataDir, realpathSync(dataDir)]);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.hasExited()) return 'exited';
    try {
      const [row] = await sql<{ dir: string }[]>`select current_setting('data_directory') as dir`;
      if (row && ours.has(row.dir)) return 'ready';
    } catch {
      // Refused or "starting up": keep polling.
    }
    await sleep(25);
  }
  throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms`);
};

export const startPostgres = async (options: { database?: string } = {}): Promise<PostgresServer> => {
  const database = options.database ?? 'seam';
  const binDir = findBinDir();
  const owner = unprivilegedOwner();
  const root = mkdtempSync(join(tmpdir(), 'seam-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const logFile = join(root, 'postgres.log');
  mkdirSync(socketDir, { mode: 0o700 });
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(socketDir, owner.uid, owner.gid);
  }
  // cwd inside the temp dir: the unprivileged user may not be allowed to enter ours.
  const spawnOptions: SpawnOptions = { cwd: root, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, ...owner };

  let server: Tracked | undefined;
  try {
    await initialiseDataDir(dataDir, {
      binDir,
      owner,
      runAsOwner: (command, args) => run(command, args, spawnOptions),
    });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const log = openSync(logFile, 'a');
      const args = ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1',
        '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
      server = track(spawn(join(binDir, 'postgres'), args, { ...spawnOptions, stdio: ['ignore', log, log] }));
      closeSync(log);
      // SIGQUIT is immediate shutdown: the postmaster also takes its backends down with it.
      killOnExit(server.child, root, 'SIGQUIT');

      const sql = postgres({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 1, connect_timeout: 2, onnotice: () => {} });
      try {
        if ((await waitUntilReady(server, sql, dataDir)) === 'exited') {
          forgetOnExit(server.child);
          if (attempt < PORT_ATTEMPTS && readLog(logFile).includes('Address already in use')) continue;
          throw new Error(`postgres exited during startup (exit code ${server.child.exitCode ?? server.child.signalCode})`);
        }
        if (database !== 'postgres') await sql`create database ${sql(database)}`;
      } finally {
        await sql.end({ timeout: 0 });
      }

      const running = server;
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= (async () => {
          await stopChild(running, 'SIGINT'); // SIGINT = fast shutdown: aborts sessions, no waiting for clients
          forgetOnExit(running.child);
          await rm(root, { recursive: true, force: true });
        })());
      return { url: `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`, port, dataDir, stop };
    }
  } catch (error) {
    const log = tail(readLog(logFile));
    if (server) {
      await stopChild(server, 'SIGQUIT');
      forgetOnExit(server.child);
    }
    await rm(root, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`startPostgres failed: ${message}${log ? `\n--- postgres log (tail) ---\n${log}` : ''}`, { cause: error });
  }
};
