/**
 * @module New in-memory PGlite databases loaded from a saved, freshly initialised one: running
 * initdb inside WASM is most of what starting PGlite costs, and every empty database is alike.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** Opens empty in-memory databases, each independent of the others and of the saved one. */
export interface EmptyDatabaseTemplate {
  open(): Promise<PGlite>;
}

const isOurs = (owner: number): boolean => {
  const uid = process.getuid?.();
  return uid === undefined || uid === owner;
};

/** The saved database in `file`, if this account wrote it: the temp dir is shared with other accounts. */
const readSaved = async (file: string): Promise<Blob | undefined> => {
  try {
    const info = await lstat(file);
    if (!info.isFile() || !isOurs(info.uid)) return undefined;
    return new Blob([await readFile(file)]);
  } catch {
    return undefined;
  }
};

/** Writes beside `file`, then renames, so a reader sees the whole tarball or none. Best effort: the cache is optional. */
const save = async (file: string, tarball: Blob): Promise<void> => {
  const partial = `${file}.${process.pid}-${randomUUID()}.partial`;
  try {
    await writeFile(partial, new Uint8Array(await tarball.arrayBuffer()), { mode: 0o600 });
    await rename(partial, file);
  } catch {
    await rm(partial, { force: true }).catch(() => undefined);
  }
};

/**
 * Empty databases from a tarball of one made by initdb once per process, or once per machine
 * when `savedFile` is given: read from there if an earlier process wrote it, written there if
 * not. A saved file that will not load (damaged, say) is replaced.
 */
export const emptyDatabaseTemplate = (savedFile?: string): EmptyDatabaseTemplate => {
  let tarball: Promise<Blob> | undefined;

  // The first open reads or makes the tarball; a read one counts only once a database has loaded from it.
  const openFirst = async (): Promise<{ readonly dump: Blob; readonly db: PGlite }> => {
    const saved = savedFile ? await readSaved(savedFile) : undefined;
    if (saved) {
      try {
        return { dump: saved, db: await PGlite.create({ loadDataDir: saved }) };
      } catch {
        // Damaged or unreadable: made anew below.
      }
    }
    const db = await PGlite.create();
    try {
      const dump = await db.dumpDataDir('gzip');
      if (savedFile) await save(savedFile, dump);
      return { dump, db };
    } catch (error) {
      await db.close();
      throw error;
    }
  };

  return {
    async open() {
      if (tarball) return PGlite.create({ loadDataDir: await tarball });
      const first = openFirst();
      const attempt = first.then(({ dump }) => dump);
      tarball = attempt;
      // A failed attempt is forgotten, so the next open tries again.
      attempt.catch(() => {
        if (tarball === attempt) tarball = undefined;
      });
      return (await first).db;
    },
  };
};

/** The installed PGlite's version, which fixes the data directory format; undefined if it cannot be read. */
const pgliteVersion = (): string | undefined => {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const manifest: unknown = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'));
    const { name, version } = manifest as { name?: unknown; version?: unknown };
    return name === '@electric-sql/pglite' && typeof version === 'string' && /^[\w.+-]+$/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
};

let shared: EmptyDatabaseTemplate | undefined;

/** A new, empty in-memory database, from the template this machine keeps in its temp dir for the installed PGlite. */
export const openEmptyInMemory = (): Promise<PGlite> => {
  if (!shared) {
    const version = pgliteVersion();
    const uid = process.getuid?.() ?? 'any';
    shared = emptyDatabaseTemplate(version ? join(tmpdir(), `seam-pglite-empty-${version}-${uid}.tgz`) : undefined);
  }
  return shared.open();
};
