/**
 * deploy/Dockerfile and .dockerignore checked against both deployments: a non-root,
 * production-only image holding what the deployments point into. Then each file is broken one
 * way at a time and the checks must say so.
 */
import { describe, expect, it } from 'vitest';
import { allTargets } from './breakages.js';
import { checkDockerfile, loadDockerfile, loadDockerignore } from './dockerfile.js';

interface TextBreakage {
  readonly name: string;
  readonly file: 'Dockerfile' | '.dockerignore';
  readonly from: RegExp;
  readonly to: string;
  readonly expected: RegExp;
}

const dockerBreakages: TextBreakage[] = [
  { name: 'a single stage', file: 'Dockerfile', from: /^FROM .* AS (deps|build)$/gm, to: '', expected: /1 FROM stage/ },
  { name: 'running as root', file: 'Dockerfile', from: /^USER node$/m, to: 'USER root', expected: /runs as root/ },
  { name: 'no USER', file: 'Dockerfile', from: /^USER node$/m, to: '', expected: /runs as root \(no USER\)/ },
  { name: 'dev dependencies installed', file: 'Dockerfile', from: /--omit=dev/, to: '', expected: /installs dev dependencies too/ },
  { name: 'a development image', file: 'Dockerfile', from: /NODE_ENV=production/, to: 'NODE_ENV=development', expected: /does not set NODE_ENV=production/ },
  { name: 'no EXPOSE', file: 'Dockerfile', from: /^EXPOSE 3000$/m, to: '', expected: /does not EXPOSE 3000/ },
  { name: 'no HEALTHCHECK', file: 'Dockerfile', from: /^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, to: '', expected: /no HEALTHCHECK/ },
  { name: 'a shell-form CMD', file: 'Dockerfile', from: /^CMD .*$/m, to: 'CMD npm start', expected: /CMD is npm start/ },
  { name: 'TypeScript run by tsx', file: 'Dockerfile', from: /^CMD .*$/m, to: 'CMD ["node", "--import", "tsx", "src/main.ts"]', expected: /CMD is \["node", "--import", "tsx", "src\/main.ts"\], expected/ },
  { name: 'TypeScript sources in the image', file: 'Dockerfile', from: /^COPY package.json \.\/$/m, to: 'COPY package.json ./\nCOPY src ./src', expected: /the runtime stage copies src, TypeScript source/ },
  { name: 'no build', file: 'Dockerfile', from: /^RUN npm run build$/m, to: '', expected: /no stage runs npm run build/ },
  { name: 'a build without typescript', file: 'Dockerfile', from: /^RUN npm ci --no-audit/m, to: 'RUN npm ci --omit=dev --no-audit', expected: /build stage "build" installs with --omit=dev/ },
  { name: 'no node_modules from the deps stage', file: 'Dockerfile', from: /^COPY --from=deps .*$/m, to: '', expected: /does not copy node_modules/ },
  { name: 'a topology left out of the image', file: 'Dockerfile', from: /^COPY deploy\/split\/topology.yaml .*$/m, to: '', expected: /deploy\/split\/topology.yaml is not copied to \/app\/deploy\/split\/topology.yaml/ },
  { name: 'another WORKDIR', file: 'Dockerfile', from: /^WORKDIR \/app$(?![\s\S]*^WORKDIR)/m, to: 'WORKDIR /srv', expected: /dist\/src is not copied to \/app\/dist\/src \(found \/srv\/dist\/src\)/ },
  { name: 'scripts left out (db-provision runs one)', file: 'Dockerfile', from: /^COPY --from=build \/app\/dist\/scripts .*$/m, to: '', expected: /dist\/scripts is not copied to \/app\/dist\/scripts/ },
  { name: 'scripts not compiled', file: 'Dockerfile', from: /^COPY scripts .*$/m, to: '', expected: /build stage "build" does not copy scripts/ },
  { name: 'a COPY of something the repository lacks', file: 'Dockerfile', from: /^COPY src \.\/src$/m, to: 'COPY lib ./src', expected: /COPY lib, which the repository does not have/ },
  { name: 'node_modules sent to the build', file: '.dockerignore', from: /^node_modules$/m, to: '', expected: /\.dockerignore: does not leave out node_modules/ },
  { name: 'a local build sent to the build', file: '.dockerignore', from: /^dist$/m, to: '', expected: /\.dockerignore: does not leave out dist/ },
  { name: 'a topology ignored', file: '.dockerignore', from: /^!deploy\/split\/topology.yaml$/m, to: '', expected: /COPY deploy\/split\/topology.yaml, which .dockerignore leaves out/ },
];

describe('deploy/Dockerfile and .dockerignore', () => {
  it('build a non-root, production-only image holding what the deployments point into', () => {
    expect(checkDockerfile(loadDockerfile(), loadDockerignore(), allTargets)).toEqual([]);
  });

  it.each(dockerBreakages)('report $name', ({ file, from, to, expected }) => {
    let dockerfile = loadDockerfile();
    let dockerignore = loadDockerignore();
    if (file === 'Dockerfile') {
      expect(dockerfile).toMatch(from);
      dockerfile = dockerfile.replace(from, to);
    } else {
      expect(dockerignore).toMatch(from);
      dockerignore = dockerignore.replace(from, to);
    }
    expect(checkDockerfile(dockerfile, dockerignore, allTargets)).toContainEqual(expect.stringMatching(expected));
  });
});
