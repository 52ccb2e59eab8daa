/**
 * docs/migration-guide.md, walked as a new user would (guide-walk.ts): every command block in
 * order against the throwaway servers the guide itself starts, each output compared with the
 * one the guide shows. It takes a few minutes (a build, two PostgreSQL servers, a dozen
 * service processes).
 */
import { describeGuideWalk } from './guide-walk.js';
import { guidePorts } from './walk-workspace.js';

// dist/ is the build the guide makes, as `npm start` would.
describeGuideWalk({ guide: 'docs/migration-guide.md', ports: guidePorts, leavesInRepository: ['dist'], timeoutMs: 15 * 60_000 });
