/**
 * @module Walks a guide as a new user would: every command block in order, in one bash
 * session, in a copy of the repository, against the servers the guide itself starts (on free
 * ports, in a temporary directory), each block's output compared with the output the guide
 * shows after it. Then what the walk leaves behind: no server, no file in the repository
 * except those the guide says it makes, and no log line naming its service twice.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asShown, matchesExpected, type Substitutions } from './expected-output.js';
import { assignedVariables, guideBlocks } from './guide-blocks.js';
import { ShellSession } from './shell-session.js';
import { createWalkWorkspace, guideDirShown, missingTools, walkEnvironment, type GuidePorts, type WalkWorkspace } from './walk-workspace.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const blockTimeoutMs = 5 * 60_000;

export interface GuideWalk {
  /** The guide, relative to the repository. */
  readonly guide: string;
  /** Its port variables and the values its outputs show. */
  readonly ports: GuidePorts;
  /** Entries the walk may add to the repository's top folder (a build, a file the guide writes and keeps). */
  readonly leavesInRepository: readonly string[];
  /** The whole walk's limit. */
  readonly timeoutMs: number;
}

/** Lines of the JSON logs directly in `dir` (the services' logs; not PostgreSQL's) that carry `"service"` other than once. */
const serviceKeyCounts = (dir: string): { lines: number; repeated: string[] } => {
  if (!existsSync(dir)) return { lines: 0, repeated: [] };
  const lines = readdirSync(dir)
    .filter((file) => file.endsWith('.log'))
    .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter((line) => line.startsWith('{')).map((line) => `${file}: ${line}`));
  const named = lines.filter((line) => line.includes('"service":'));
  return { lines: named.length, repeated: named.filter((line) => line.split('"service":').length > 2) };
};

/** Whether something accepts connections on loopback `port`. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** Declares the walk of `walk.guide` as a vitest suite (skipped, saying why, where a tool it needs is missing). */
export const describeGuideWalk = (walk: GuideWalk): void => {
  const blocks = guideBlocks(readFileSync(join(repoRoot, walk.guide), 'utf8'));
  const missing = missingTools();
  describe.skipIf(missing.length > 0)(`${walk.guide}, walked top to bottom${missing.length > 0 ? ` (needs ${missing.join(', ')})` : ''}`, () => {
    let workspace: WalkWorkspace;
    let session: ShellSession;
    let rootBefore: string[];
    const serviceLines = { lines: 0, repeated: new Set<string>() };

    beforeAll(async () => {
      workspace = await createWalkWorkspace(repoRoot, walk.ports);
      rootBefore = readdirSync(workspace.repo).sort();
      session = new ShellSession(workspace.repo, walkEnvironment(), workspace.blocksDir);
    });

    afterAll(async () => {
      await session?.close();
      await workspace?.remove();
    });

    it('runs every command block and prints what the guide shows after it', async () => {
      const substitutions: Substitutions = {
        ports: new Map(Object.entries(workspace.ports).map(([name, port]) => [port, walk.ports[name] ?? port])),
        paths: new Map([[workspace.guideDir, guideDirShown]]),
      };
      const settings = `export GUIDE_DIR='${workspace.guideDir}' ${Object.entries(workspace.ports).map(([name, port]) => `${name}=${port}`).join(' ')}`;
      const mismatches: string[] = [];
      for (const block of blocks) {
        if (block.kind === 'skip') continue;
        if (block.kind === 'settings') expect(assignedVariables(block.code).sort(), `the settings block of line ${block.line}`).toEqual(assignedVariables(settings).sort());
        const { output } = await session.run(block.kind === 'settings' ? settings : block.code, blockTimeoutMs);
        const shown = asShown(output, substitutions);
        if (!matchesExpected(shown, block.expected)) {
          mismatches.push(`line ${block.line} (${block.section}):\n--- the guide shows\n${block.expected ?? '(nothing)'}\n--- it printed\n${shown || '(nothing)'}`);
        }
        const logs = serviceKeyCounts(workspace.guideDir);
        serviceLines.lines = Math.max(serviceLines.lines, logs.lines);
        for (const line of logs.repeated) serviceLines.repeated.add(line);
      }
      expect(mismatches.join('\n\n')).toBe('');
    }, walk.timeoutMs);

    it('writes every service log line with one "service" key', () => {
      expect(serviceLines.lines).toBeGreaterThan(10);
      expect([...serviceLines.repeated]).toEqual([]);
    });

    it('leaves nothing behind once its Clean up section ran: no server, no directory, no new file in the repository', async () => {
      for (const [name, port] of Object.entries(workspace.ports)) expect(await listening(port), `${name} ${port} still answers`).toBe(false);
      expect(existsSync(workspace.guideDir)).toBe(false);
      expect(readdirSync(workspace.repo).sort()).toEqual([...new Set([...rootBefore, ...walk.leavesInRepository])].sort());
    });
  });
};
