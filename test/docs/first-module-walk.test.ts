/**
 * docs/guide/first-module.md, walked as a new user would (guide-walk.ts): `seam new module`,
 * its test and checks, the monolith, `seam extract`, `seam split` and back, each output
 * compared with the one the guide shows. It takes a few minutes (a build, a split).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeGuideWalk } from './guide-walk.js';

const repoRoot = join(import.meta.dirname, '..', '..');

// The guide creates reviews and ratings: in a repository that has either already (made by following it), its first steps must refuse.
const madeAlready = ['reviews', 'ratings'].filter((name) => existsSync(join(repoRoot, 'src', 'modules', name)));
if (madeAlready.length > 0) {
  describe('docs/guide/first-module.md', () => {
    it.skip(`is not walked: this repository has ${madeAlready.join(' and ')} already, which the guide would create`, () => undefined);
  });
} else {
  // dist/ is the build `seam split` makes.
  describeGuideWalk({ guide: 'docs/guide/first-module.md', ports: { SHOP_PORT: 3000 }, leavesInRepository: ['dist'], timeoutMs: 15 * 60_000 });
}
