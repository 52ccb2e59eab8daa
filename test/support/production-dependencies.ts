/**
 * @module A node_modules holding only the production dependencies, as `npm ci --omit=dev`
 * installs them in the image, made of links into the repository's own node_modules (no
 * network, no install). Code run against it fails to import anything else.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface LockFile {
  readonly packages: Readonly<Record<string, { readonly dev?: boolean }>>;
}

/** A top-level package's lock entry: `node_modules/<name>` or `node_modules/@scope/<name>`; nested ones travel inside it. */
const topLevel = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/;

/**
 * Links into `into` (a new node_modules folder) every package package-lock.json marks as
 * needed in production, except those `without` names (or whose scope it names, '@esbuild').
 * Returns the linked package names.
 */
export const linkProductionDependencies = (root: string, into: string, without: readonly string[] = []): string[] => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as LockFile;
  const linked: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = topLevel.exec(path)?.[1];
    if (name === undefined || entry.dev === true) continue;
    if (without.includes(name) || without.includes(name.split('/')[0] ?? '')) continue;
    const installed = join(root, path);
    // Optional packages for other platforms are in the lock file but not installed.
    if (!existsSync(installed)) continue;
    mkdirSync(dirname(join(into, name)), { recursive: true });
    symlinkSync(installed, join(into, name), 'dir');
    linked.push(name);
  }
  return linked;
};
