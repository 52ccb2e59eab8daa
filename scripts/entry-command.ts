/**
 * @module How a script starts one of the repository's entry files (src/main.ts, a benchmark's
 * server) as a child Node process, in the form the script itself runs in:
 *
 *  - compiled (`npm run build`, then plain `node` on dist/): the child is the compiled `.js`
 *    next to it in the same build, under plain `node` with the production flags, so a split
 *    run or a benchmark of the compiled code runs compiled code in every process;
 *  - TypeScript under tsx (development, tests): the child is the `.ts` source under tsx.
 *
 * The form is read from the caller's own module URL: tsc emits `.js` files, tsx runs `.ts`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The flags production runs node with (deploy/Dockerfile's CMD, `npm start`): stack traces point at .ts lines. */
export const productionNodeFlags: readonly string[] = ['--enable-source-maps'];

/** Whether the module at `moduleUrl` is compiled JavaScript rather than TypeScript run by tsx. */
export const isCompiled = (moduleUrl: string): boolean => moduleUrl.endsWith('.js');

/**
 * The nearest directory at or above `from` holding a package.json: the repository, or the
 * application directory of an image (/app). A compiled file sits one `dist/` deeper than its
 * source, so paths to things that are not compiled (topologies) start here, not at the file.
 */
export const projectRootOf = (from: string): string => {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json at or above ${from}`);
  }
};

export interface EntryCommand {
  /** The executable: node itself. */
  readonly command: string;
  readonly args: readonly string[];
  /** The project root, as the child's working directory: relative paths (topologies, .seam/) resolve there. */
  readonly cwd: string;
}

/**
 * The command that runs `entry` (a path relative to the caller's file, without extension,
 * e.g. '../../src/main') in the caller's form.
 *
 * @example
 * const { command, args, cwd } = entryCommand(import.meta.url, '../src/main');
 * spawn(command, args, { cwd });
 */
export const entryCommand = (callerUrl: string, entry: string): EntryCommand => {
  const callerDir = dirname(fileURLToPath(callerUrl));
  const cwd = projectRootOf(callerDir);
  // tsx is found from the project root's node_modules, as `node --import tsx` finds it there.
  return isCompiled(callerUrl)
    ? { command: process.execPath, args: [...productionNodeFlags, join(callerDir, `${entry}.js`)], cwd }
    : { command: process.execPath, args: ['--import', 'tsx', join(callerDir, `${entry}.ts`)], cwd };
};

/**
 * The command that runs `sourceFile` (a `.ts` file of the project at `root`) in the form of the
 * caller at `callerUrl`: its compiled `.js` under dist/ when the caller is compiled.
 */
export const projectEntry = (callerUrl: string, root: string, sourceFile: string): EntryCommand =>
  isCompiled(callerUrl)
    ? { command: process.execPath, args: [...productionNodeFlags, join(root, 'dist', relative(root, sourceFile)).replace(/\.ts$/, '.js')], cwd: root }
    : { command: process.execPath, args: ['--import', 'tsx', sourceFile], cwd: root };
