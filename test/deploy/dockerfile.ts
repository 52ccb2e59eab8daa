/**
 * @module Checks deploy/Dockerfile and .dockerignore: a small, non-root, production-only image
 * that holds what the deployment files point into it (the topologies, the scripts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { imageRoot, repoRoot, servicePort, type Target } from './targets.js';

export interface Instruction { readonly keyword: string; readonly args: string }

export const loadDockerfile = (): string => readFileSync(join(repoRoot, 'deploy', 'Dockerfile'), 'utf8');
export const loadDockerignore = (): string => readFileSync(join(repoRoot, '.dockerignore'), 'utf8');

/** Instructions in order, continuation lines joined, comments dropped. */
export const parseDockerfile = (text: string): Instruction[] =>
  text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });

/** Whether `.dockerignore` leaves `path` out of the build context. Literal patterns only, as ours are; the last match wins. */
const ignored = (dockerignore: string, path: string): boolean => {
  let result = false;
  for (const line of dockerignore.split(/\r?\n/).map((entry) => entry.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const pattern = line.replace(/^!/, '').replace(/\/$/, '');
    if (path === pattern || path.startsWith(`${pattern}/`)) result = !line.startsWith('!');
  }
  return result;
};

const command = ['node', '--import', 'tsx', 'src/main.ts'];

/** The words of an exec-form (JSON array) instruction; undefined for the shell form. */
const execForm = (args: string | undefined): unknown => {
  try {
    return JSON.parse(args ?? '');
  } catch {
    return undefined;
  }
};

/** Paths the image must hold, repository path → image path: what CMD runs and what the deployment files name. */
const required = (targets: readonly Target[]): [string, string][] => [
  ['package.json', `${imageRoot}/package.json`],
  ['src', `${imageRoot}/src`],
  ['scripts', `${imageRoot}/scripts`],
  ...targets.map((target): [string, string] => [target.topologyFile, `${imageRoot}/${target.topologyFile}`]),
];

/** Every problem with the Dockerfile and .dockerignore for `targets`. */
export const checkDockerfile = (dockerfile: string, dockerignore: string, targets: readonly Target[]): string[] => {
  const problems: string[] = [];
  const instructions = parseDockerfile(dockerfile);
  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const stages = instructions.filter((instruction) => instruction.keyword === 'FROM');
  if (stages.length < 2) problems.push(`Dockerfile: ${stages.length} FROM stage(s); dependencies belong in a stage of their own`);
  const runtime = instructions.slice(lastFrom + 1);
  const last = (keyword: string): string | undefined => runtime.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;

  const user = last('USER');
  if (user === undefined || /^(root|0)(:|$)/.test(user)) problems.push(`Dockerfile: the runtime stage runs as ${user ?? 'root (no USER)'}`);
  const installs = instructions.filter((instruction) => instruction.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(instruction.args));
  if (installs.length === 0) problems.push('Dockerfile: no npm ci');
  for (const install of installs) {
    if (!install.args.includes('--omit=dev')) problems.push(`Dockerfile: "${install.args}" installs dev dependencies too (no --omit=dev)`);
  }
  if (!runtime.some((instruction) => instruction.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(instruction.args))) problems.push('Dockerfile: the runtime stage does not set NODE_ENV=production');
  if (!runtime.some((instruction) => instruction.keyword === 'EXPOSE' && instruction.args.split(/\s+/).includes(String(servicePort)))) problems.push(`Dockerfile: does not EXPOSE ${servicePort}`);
  if (!last('HEALTHCHECK')?.includes(`http://127.0.0.1:${servicePort}/healthz`)) problems.push(`Dockerfile: no HEALTHCHECK on http://127.0.0.1:${servicePort}/healthz`);
  const cmd = last('CMD');
  if (JSON.stringify(execForm(cmd)) !== JSON.stringify(command)) problems.push(`Dockerfile: CMD is ${cmd}, expected ${JSON.stringify(command)} (exec form, so node gets the signals)`);
  if (!runtime.some((instruction) => instruction.keyword === 'COPY' && instruction.args.startsWith('--from=') && instruction.args.includes('node_modules'))) {
    problems.push('Dockerfile: the runtime stage does not copy node_modules from the dependencies stage');
  }

  // Where each COPY from the build context puts things in the final image, following WORKDIR.
  const placed = new Map<string, string>();
  let workdir = '/';
  for (const [index, instruction] of instructions.entries()) {
    if (instruction.keyword === 'FROM') workdir = '/';
    if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args);
    if (instruction.keyword !== 'COPY' || instruction.args.includes('--from=')) continue;
    const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
    const destination = words.pop() ?? '';
    for (const source of words) {
      const intoDirectory = words.length > 1 || destination.endsWith('/');
      if (index > lastFrom) placed.set(source.replace(/\/$/, ''), posix.resolve(workdir, destination, intoDirectory ? posix.basename(source) : '.'));
      if (!existsSync(join(repoRoot, source))) problems.push(`Dockerfile: COPY ${source}, which the repository does not have`);
      if (ignored(dockerignore, source.replace(/\/$/, ''))) problems.push(`Dockerfile: COPY ${source}, which .dockerignore leaves out of the build context`);
    }
  }
  for (const [source, destination] of required(targets)) {
    if (placed.get(source) !== destination) problems.push(`Dockerfile: ${source} is not copied to ${destination} (found ${placed.get(source) ?? 'nothing'})`);
  }
  for (const path of ['node_modules', '.git', '.seam', 'test', 'bench', 'coverage']) {
    if (!ignored(dockerignore, path)) problems.push(`.dockerignore: does not leave out ${path}`);
  }
  return problems;
};
