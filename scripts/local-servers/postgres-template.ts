/**
 * @module A PostgreSQL data directory initialised once per machine, server version and owner, and
 * copied for each throwaway server: a copy costs a fraction of what initdb does.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lchown, lstat, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

export interface TemplateOptions {
  /** The directory holding the `postgres` and `initdb` binaries the servers run. */
  readonly binDir: string;
  /** The account the servers run as, when it is not this process's (we are root); undefined otherwise. */
  readonly owner: Owner | undefined;
  /** Runs `command` as the owner, failing with its output if it exits unsuccessfully. */
  readonly runAsOwner: (command: string, args: readonly string[]) => Promise<void>;
}

/**
 * Without --no-sync: the template outlives this process, and a machine crash must not leave a
 * half-written one behind for every later run to copy.
 */
const TEMPLATE_INITDB_ARGS: readonly string[] = ['-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C'];

const run = promisify(execFile);

const initdb = (dataDir: string, initdbArgs: readonly string[], options: TemplateOptions): Promise<void> =>
  options.runAsOwner(join(options.binDir, 'initdb'), ['-D', dataDir, ...initdbArgs]);

// One `postgres --version` per binary directory and process is enough.
const templateNames = new Map<string, Promise<string>>();

/** `seam-pg-template-<version>-<hash>`: one name per server build, initdb arguments and owner. */
const templateName = (options: TemplateOptions, uid: number): Promise<string> => {
  const cacheKey = `${options.binDir}\0${uid}`;
  let name = templateNames.get(cacheKey);
  if (!name) {
    name = run(join(options.binDir, 'postgres'), ['--version']).then(({ stdout }) => {
      const version = /\d+(\.\d+)*/.exec(stdout)?.[0] ?? 'unknown';
      const hash = createHash('sha256').update([options.binDir, stdout, ...TEMPLATE_INITDB_ARGS, String(uid)].join('\0')).digest('hex');
      return `seam-pg-template-${version}-${hash.slice(0, 16)}`;
    });
    templateNames.set(cacheKey, name);
    name.catch(() => templateNames.delete(cacheKey));
  }
  return name;
};

const isErrorCode = (error: unknown, ...codes: string[]): boolean =>
  error instanceof Error && 'code' in error && codes.includes(String(error.code));

type TemplateState = 'usable' | 'missing' | 'broken' | 'foreign';

const inspect = async (dir: string, uid: number): Promise<TemplateState> => {
  try {
    const info = await lstat(dir);
    // The temp dir is shared: a directory someone else put there could configure our servers.
    if (!info.isDirectory() || info.uid !== uid) return 'foreign';
    // Templates appear whole (by rename), so one missing these was damaged later, e.g. by a temp cleaner.
    return existsSync(join(dir, 'PG_VERSION')) && existsSync(join(dir, 'global', 'pg_control')) ? 'usable' : 'broken';
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return 'missing';
    throw error;
  }
};

/** Builds the template beside its final place, then renames it there, so no one ever sees half of it. */
const build = async (templateDir: string, options: TemplateOptions): Promise<void> => {
  const staging = await mkdtemp(`${templateDir}-building-`);
  try {
    if (options.owner) await lchown(staging, options.owner.uid, options.owner.gid);
    const built = join(staging, 'data');
    await initdb(built, TEMPLATE_INITDB_ARGS, options);
    try {
      await rename(built, templateDir);
    } catch (error) {
      // Another process finished first: its template is as good as ours.
      if (!isErrorCode(error, 'ENOTEMPTY', 'EEXIST')) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
};

/** The template's path, built first if needed; undefined when this machine's temp dir cannot hold one for us. */
const readyTemplate = async (options: TemplateOptions): Promise<string | undefined> => {
  const uid = options.owner?.uid ?? process.getuid?.();
  if (uid === undefined) return undefined;
  const templateDir = join(tmpdir(), await templateName(options, uid));
  let state = await inspect(templateDir, uid);
  if (state === 'broken') await rm(templateDir, { recursive: true, force: true });
  if (state === 'broken' || state === 'missing') {
    await build(templateDir, options);
    state = await inspect(templateDir, uid);
  }
  return state === 'usable' ? templateDir : undefined;
};

/**
 * Fills `dataDir` (which must not exist yet) with a freshly initialised cluster, owned by the
 * owner and with the template's file modes (PostgreSQL insists on 0700 for the directory).
 * Falls back to running initdb into `dataDir` when no template can be kept.
 */
export const initialiseDataDir = async (dataDir: string, options: TemplateOptions): Promise<void> => {
  const template = await readyTemplate(options);
  if (template === undefined) {
    await initdb(dataDir, [...TEMPLATE_INITDB_ARGS, '--no-sync'], options);
    return;
  }
  // cp as the owner makes the copy the owner's with no chown pass, and costs a fraction of the
  // CPU of Node's fs.cp, which stats and copies each of the cluster's thousand files in JS.
  await options.runAsOwner('cp', ['-R', '-p', template, dataDir]);
};
