/**
 * @module The application as plain JavaScript, for the processes tests start (the entry point,
 * a split's services, the `seam` command). Under tsx every such process spent about 2 s more CPU than compiled code
 * (tsx's loader thread and a transform per module), and the suite starts some fifty of them.
 *
 * Once per `vitest run`, esbuild (the transformer tsx itself runs, with the same settings)
 * turns src/ and scripts/ into a folder under .seam/, with the runtime assets (migrations) the
 * production build copies. No type checking: `npm run check:types` does that. Each run gets
 * its own folder, so two runs never rewrite files under each other's processes.
 */
import { join } from 'node:path';
import { inject } from 'vitest';
import { productionNodeFlags, type EntryCommand } from '../../scripts/entry-command.js';

const root = join(import.meta.dirname, '..', '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder this run's test build is in (test-build.setup.ts). */
    seamTestBuild: string;
  }
}

/** The command that runs `sourceFile` (relative to the repository, e.g. 'src/main.ts') from this run's test build. */
export const testBuildEntry = (sourceFile: string): EntryCommand => ({
  command: process.execPath,
  args: [...productionNodeFlags, join(inject('seamTestBuild'), sourceFile.replace(/\.ts$/, '.js'))],
  cwd: root,
});
