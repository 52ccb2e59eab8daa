/**
 * @module Checks deploy/Dockerfile and .dockerignore: a small, non-root, production-only image
 * that runs compiled JavaScript with plain node (built in a stage of its own: no TypeScript, no
 * dev dependency, no tsx at run time) and holds what the deployment files point into it (the
 * topologies, the compiled scripts).
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

/** What the container runs: plain node on the compiled entry point, source maps on. */
const command = ['node', '--enable-source-maps', 'dist/src/main.js'];

/** What `npm run build` compiles and copies the migrations with: the build stage needs them all. */
const buildSources = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'scripts'];

/** Source folders that must not reach the runtime image: it runs their compiled form. */
const typeScriptSources = ['src', 'scripts', 'bench', 'test'];

/** The words of an exec-form (JSON array) instruction; undefined for the shell form. */
const execForm = (args: string | undefined): unknown => {
  try {
    return JSON.parse(args ?? '');
  } catch {
    return undefined;
  }
};

interface Stage {
  /** Its `AS` name, if any. */
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
  /** Its WORKDIR when it ends. */
  readonly workdir: string;
}

/** The stages in order; instructions before the first FROM (ARG) belong to none. */
const stagesOf = (instructions: readonly Instruction[]): Stage[] => {
  const stages: { name: string | undefined; instructions: Instruction[]; workdir: string }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push({ name: /\bAS\s+(\S+)\s*$/i.exec(instruction.args)?.[1], instructions: [], workdir: '/' });
    const stage = stages.at(-1);
    if (!stage) continue;
    if (instruction.keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, instruction.args);
    if (instruction.keyword !== 'FROM') stage.instructions.push(instruction);
  }
  return stages;
};

const npmInstalls = (stage: Stage): Instruction[] => stage.instructions.filter((instruction) => instruction.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(instruction.args));
const runsBuild = (stage: Stage): boolean => stage.instructions.some((instruction) => instruction.keyword === 'RUN' && /\bnpm run build\b/.test(instruction.args));

/** A COPY's flags, sources and destination. */
const copyParts = (instruction: Instruction): { from: string | undefined; sources: string[]; destination: string } => {
  const words = instruction.args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  const destination = paths.pop() ?? '';
  return { from, sources: paths, destination };
};

/** Paths the runtime image must hold, path → image path: what CMD runs and what the deployment files name. */
const required = (targets: readonly Target[]): [string, string][] => [
  ['package.json', `${imageRoot}/package.json`],
  // Compiled, from the build stage: the entry point and the scripts the db-provision job runs.
  ['dist/src', `${imageRoot}/dist/src`],
  ['dist/scripts', `${imageRoot}/dist/scripts`],
  ...targets.map((target): [string, string] => [target.topologyFile, `${imageRoot}/${target.topologyFile}`]),
];

/** Every problem with the Dockerfile and .dockerignore for `targets`. */
export const checkDockerfile = (dockerfile: string, dockerignore: string, targets: readonly Target[]): string[] => {
  const problems: string[] = [];
  const stages = stagesOf(parseDockerfile(dockerfile));
  if (stages.length < 3) problems.push(`Dockerfile: ${stages.length} FROM stage(s); the production dependencies and the build belong in stages of their own`);
  const runtime = stages.at(-1) ?? { name: undefined, instructions: [], workdir: '/' };
  const stageNamed = (name: string | undefined): Stage | undefined => stages.slice(0, -1).find((stage, index) => stage.name === name || String(index) === name);
  const last = (keyword: string): string | undefined => runtime.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;

  const user = last('USER');
  if (user === undefined || /^(root|0)(:|$)/.test(user)) problems.push(`Dockerfile: the runtime stage runs as ${user ?? 'root (no USER)'}`);
  if (stages.every((stage) => npmInstalls(stage).length === 0)) problems.push('Dockerfile: no npm ci');
  if (!runtime.instructions.some((instruction) => instruction.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(instruction.args))) problems.push('Dockerfile: the runtime stage does not set NODE_ENV=production');
  if (!runtime.instructions.some((instruction) => instruction.keyword === 'EXPOSE' && instruction.args.split(/\s+/).includes(String(servicePort)))) problems.push(`Dockerfile: does not EXPOSE ${servicePort}`);
  if (!last('HEALTHCHECK')?.includes(`http://127.0.0.1:${servicePort}/healthz`)) problems.push(`Dockerfile: no HEALTHCHECK on http://127.0.0.1:${servicePort}/healthz`);
  const cmd = last('CMD');
  if (JSON.stringify(execForm(cmd)) !== JSON.stringify(command)) problems.push(`Dockerfile: CMD is ${cmd}, expected ${JSON.stringify(command)} (exec form, so node gets the signals; plain node on the compiled code)`);

  // Where each COPY puts things in the runtime image, following WORKDIR: by repository path for
  // the build context; by path under the build's WORKDIR for what the build stage compiled.
  const placed = new Map<string, string>();
  let workdir = '/';
  let copiesNodeModules = false;
  for (const instruction of runtime.instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args);
    if (instruction.keyword !== 'COPY') continue;
    const { from, sources, destination } = copyParts(instruction);
    const intoDirectory = sources.length > 1 || destination.endsWith('/');
    const target = (source: string): string => posix.resolve(workdir, destination, intoDirectory ? posix.basename(source) : '.');
    if (from === undefined) {
      for (const source of sources) placed.set(source.replace(/\/$/, ''), target(source));
      continue;
    }
    const stage = stageNamed(from);
    if (stage === undefined) {
      problems.push(`Dockerfile: COPY --from=${from}, a stage the Dockerfile does not have before the runtime`);
      continue;
    }
    for (const source of sources) {
      const path = posix.resolve('/', source);
      if (posix.basename(path) === 'node_modules') {
        copiesNodeModules = true;
        // What reaches the runtime image must be production dependencies only.
        const installs = npmInstalls(stage);
        if (installs.length === 0) problems.push(`Dockerfile: the runtime stage copies node_modules from stage "${from}", which runs no npm ci`);
        for (const install of installs) {
          if (!install.args.includes('--omit=dev')) problems.push(`Dockerfile: "${install.args}" installs dev dependencies too (no --omit=dev), and the runtime stage copies its node_modules`);
        }
      } else if (runsBuild(stage)) {
        placed.set(posix.relative(stage.workdir, path), target(source));
      }
    }
  }
  if (!copiesNodeModules) problems.push('Dockerfile: the runtime stage does not copy node_modules from the dependencies stage');
  for (const install of npmInstalls(runtime)) {
    if (!install.args.includes('--omit=dev')) problems.push(`Dockerfile: "${install.args}" installs dev dependencies too (no --omit=dev)`);
  }
  for (const source of typeScriptSources) {
    if (placed.has(source)) problems.push(`Dockerfile: the runtime stage copies ${source}, TypeScript source; the image runs the compiled dist/ alone`);
  }

  // The build stage: it compiles with the dev dependencies, from the sources the build reads.
  const builds = stages.slice(0, -1).filter(runsBuild);
  if (builds.length === 0) problems.push('Dockerfile: no stage runs npm run build; the image must run compiled code');
  for (const build of builds) {
    const label = `the build stage${build.name ? ` "${build.name}"` : ''}`;
    const copied = new Set(build.instructions.filter((instruction) => instruction.keyword === 'COPY' && copyParts(instruction).from === undefined).flatMap((instruction) => copyParts(instruction).sources.map((source) => source.replace(/\/$/, ''))));
    for (const source of buildSources) {
      if (!copied.has(source)) problems.push(`Dockerfile: ${label} does not copy ${source}, which npm run build reads`);
    }
    for (const install of npmInstalls(build)) {
      if (install.args.includes('--omit=dev')) problems.push(`Dockerfile: ${label} installs with --omit=dev, but the build needs the dev dependencies (typescript)`);
    }
  }

  // Every COPY from the build context must find its source there.
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'COPY') continue;
      const { from, sources } = copyParts(instruction);
      if (from !== undefined) continue;
      for (const source of sources) {
        if (!existsSync(join(repoRoot, source))) problems.push(`Dockerfile: COPY ${source}, which the repository does not have`);
        if (ignored(dockerignore, source.replace(/\/$/, ''))) problems.push(`Dockerfile: COPY ${source}, which .dockerignore leaves out of the build context`);
      }
    }
  }
  for (const [source, destination] of required(targets)) {
    if (placed.get(source) !== destination) problems.push(`Dockerfile: ${source} is not copied to ${destination} (found ${placed.get(source) ?? 'nothing'})`);
  }
  // dist too: a local build must not slip into the image in place of the image's own.
  for (const path of ['node_modules', '.git', '.seam', 'dist', 'test', 'bench', 'coverage']) {
    if (!ignored(dockerignore, path)) problems.push(`.dockerignore: does not leave out ${path}`);
  }
  return problems;
};
