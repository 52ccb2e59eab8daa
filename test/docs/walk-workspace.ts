/**
 * @module Where a walk of the migration guide runs: a copy of the repository (node_modules
 * linked, not copied), so the guide's build and files never touch the working tree, and a
 * concurrent edit there cannot change the code halfway through; a directory for the guide's
 * servers; and free loopback ports for every port the guide names.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A guide's port variables and the defaults its sample outputs show. */
export type GuidePorts = Readonly<Record<string, number>>;

/** The migration guide's port variables and the defaults its sample outputs show. */
export const guidePorts = { PG_PORT: 5432, PG2_PORT: 5433, REDIS_PORT: 6379, SHOP_PORT: 3000, INVENTORY_PORT: 3001 } as const;

/** The directory the guide's sample outputs show for GUIDE_DIR. */
export const guideDirShown = '/tmp/seam-guide';

/** What a copy leaves out: installed packages (linked instead), the build, git and local state. */
const notCopied = new Set(['node_modules', 'dist', '.git', '.seam', '.ci']);

export interface WalkWorkspace {
  /** The repository copy, where the guide's commands run. */
  readonly repo: string;
  /** GUIDE_DIR: not created yet; the guide creates it. */
  readonly guideDir: string;
  /** Block scripts and their outputs. */
  readonly blocksDir: string;
  /** The port each of the guide's port variables gets. */
  readonly ports: Readonly<Record<string, number>>;
  /** Stops any PostgreSQL the guide left running, and removes everything, npx's link to the copy included. */
  remove(): Promise<void>;
}

/** The tools the guide uses that are not on PATH here; empty when a walk can run. */
export const missingTools = (): string[] => {
  const onPath = (tool: string): boolean => !spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status;
  // Debian keeps initdb off PATH, in /usr/lib/postgresql/<version>/bin, where the guide looks too.
  const serverBinaries = onPath('initdb') || (existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').length > 0);
  const tools = ['bash', 'psql', 'pg_dump', 'createdb', 'redis-server', 'curl', 'jq', 'openssl', 'kubectl', ...(process.getuid?.() === 0 ? ['runuser'] : [])];
  return [...tools.filter((tool) => !onPath(tool)), ...(serverBinaries ? [] : ['initdb'])];
};

/** Stops the PostgreSQL servers whose data directories lie under `dir` (pg_ctl detaches them from the shell). */
const stopPostgresUnder = async (dir: string): Promise<void> => {
  if (!existsSync(dir)) return;
  const pids = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('postmaster.pid'))
    .map((path) => Number(readFileSync(join(dir, path), 'utf8').split('\n')[0]));
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGQUIT'); // immediate shutdown, backends included
  for (let i = 0; i < 100 && pids.some(alive); i += 1) await sleep(100);
};

/** The project `manifest` (an npx cache entry's package.json) says it installed, or none if unreadable (being written). */
const npxPackagesOf = (manifest: string): unknown[] => {
  try {
    const packages: unknown = (JSON.parse(readFileSync(manifest, 'utf8')) as { _npx?: { packages?: unknown } })._npx?.packages;
    return Array.isArray(packages) ? packages : [];
  } catch {
    return [];
  }
};

/**
 * What `npx seam` leaves in npm's cache for `repo`: npx runs a project's own bin by installing
 * the project (a link to it) into `<cache>/_npx/<hash>/`, one per directory, so every walk's
 * copy would leave one behind, pointing nowhere once the copy is gone.
 */
const npxEntriesFor = (repo: string, env: Readonly<Record<string, string>>): string[] => {
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { cwd: repo, env, encoding: 'utf8' }).stdout?.trim();
  const npxDir = cache ? join(cache, '_npx') : undefined;
  if (npxDir === undefined || !existsSync(npxDir)) return [];
  return readdirSync(npxDir)
    .map((entry) => join(npxDir, entry))
    .filter((entry) => npxPackagesOf(join(entry, 'package.json')).includes(repo));
};

const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * A free port below the range Linux hands out for port 0 (32768 and up by default): the walk
 * binds each of its ports again and again over minutes, and a port from that range could be
 * taken in between by anything else on the machine that asks for a free one (a parallel test).
 */
const quietPort = async (taken: readonly number[]): Promise<number> => {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.includes(port) && (await canBind(port))) return port;
  }
};

export const createWalkWorkspace = async (repoRoot: string, portsShown: GuidePorts = guidePorts): Promise<WalkWorkspace> => {
  const root = mkdtempSync(join(tmpdir(), 'seam-guide-walk-'));
  // Run as root, the guide hands PostgreSQL to the postgres account, which must reach GUIDE_DIR.
  chmodSync(root, 0o755);
  const repo = join(root, 'repo');
  for (const entry of readdirSync(repoRoot)) {
    if (!notCopied.has(entry)) cpSync(join(repoRoot, entry), join(repo, entry), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(repo, 'node_modules'), 'dir');
  const blocksDir = mkdtempSync(join(root, 'blocks-'));
  const ports: Record<string, number> = {};
  for (const name of Object.keys(portsShown)) ports[name] = await quietPort(Object.values(ports));
  const guideDir = join(root, 'seam-guide');
  return {
    repo,
    guideDir,
    blocksDir,
    ports,
    remove: async () => {
      await stopPostgresUnder(guideDir);
      const npxEntries = npxEntriesFor(repo, walkEnvironment());
      rmSync(root, { recursive: true, force: true });
      for (const entry of npxEntries) rmSync(entry, { recursive: true, force: true });
    },
  };
};

/** The environment of the walk's shell: a terminal's basics, none of the test runner's settings. */
export const walkEnvironment = (): Record<string, string> => ({
  PATH: process.env['PATH'] ?? ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(delimiter),
  HOME: process.env['HOME'] ?? '/root',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TERM: 'dumb',
});
