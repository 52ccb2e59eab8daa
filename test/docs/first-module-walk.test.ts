/**
 * docs/guide/first-module.md, walked as a new user would (guide-walk.ts): `seam new module`,
 * its test and checks, the monolith, `seam extract`, `seam split` and back, each output
 * compared with the one the guide shows. It takes a few minutes (a build, a split).
 */
import { describeGuideWalk } from './guide-walk.js';

// dist/ is the build `seam split` makes.
describeGuideWalk({ guide: 'docs/guide/first-module.md', ports: { SHOP_PORT: 3000 }, leavesInRepository: ['dist'], timeoutMs: 15 * 60_000 });
