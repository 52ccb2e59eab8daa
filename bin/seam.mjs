#!/usr/bin/env node
// The `seam` command. In a checkout with sources it runs the TypeScript CLI under tsx, so it
// can import the project's application (.ts) directly; where only the build is (an image),
// it runs the compiled CLI, which imports the compiled application.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../scripts/cli/main.ts', import.meta.url));
const compiled = fileURLToPath(new URL('../dist/scripts/cli/main.js', import.meta.url));

const tsx = existsSync(source) ? await import('tsx/esm/api').catch(() => undefined) : undefined;
if (tsx) {
  tsx.register();
  await import(pathToFileURL(source).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  console.error('seam: neither the CLI sources with tsx nor a build (dist/scripts/cli/main.js) found: run npm ci, or npm run build');
  process.exit(1);
}
