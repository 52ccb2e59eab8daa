/**
 * The walk's reading of the guide is not blind: command blocks, their outputs and markers are
 * found where they are and refused where they are malformed, and an output matches only what
 * it shows, `…` standing for what differs between runs.
 */
import { describe, expect, it } from 'vitest';
import { asShown, matchesExpected } from './expected-output.js';
import { assignedVariables, guideBlocks } from './guide-blocks.js';

describe('guideBlocks', () => {
  it('pairs each command block with the output block after it, and reads the markers', () => {
    const markdown = [
      '## One',
      '<!-- test/docs: skip — needs a cluster -->',
      '```sh',
      'kubectl apply -k x',
      '```',
      '```sh',
      'echo hi',
      '```',
      'prose',
      '```text',
      'hi',
      '```',
      '```yaml',
      'a: 1',
      '```',
      '## Two',
      '<!-- test/docs: settings — free ports -->',
      '```sh',
      'export A=1 B=2',
      '```',
    ].join('\n');
    expect(guideBlocks(markdown)).toEqual([
      { kind: 'skip', code: 'kubectl apply -k x', reason: 'needs a cluster', line: 3, section: 'One' },
      { kind: 'run', code: 'echo hi', expected: 'hi', line: 6, section: 'One' },
      { kind: 'settings', code: 'export A=1 B=2', reason: 'free ports', line: 18, section: 'Two' },
    ]);
  });

  it('refuses an output block without commands, two outputs for one block, and a stray marker', () => {
    expect(() => guideBlocks('```text\nhi\n```\n')).toThrow('an output block before any command block');
    expect(() => guideBlocks('```sh\necho\n```\n```text\na\n```\n```text\nb\n```\n')).toThrow('a second output block for the commands of line 1');
    expect(() => guideBlocks('<!-- test/docs: skip — why -->\n\n```sh\necho\n```\n')).toThrow('must be directly above');
  });

  it('names the variables a block assigns', () => {
    expect(assignedVariables('export GUIDE_DIR=/tmp/x   # where\nexport A=1 B=$C\nD=2 cmd')).toEqual(['GUIDE_DIR', 'A', 'B', 'D']);
  });
});

describe('matchesExpected', () => {
  const shown = (output: string) => asShown(output, { ports: new Map([[41234, 3000]]), paths: new Map([['/tmp/walk-1/guide', '/tmp/seam-guide']]) });

  it('maps the walk’s ports and paths back to the guide’s, and ignores colours and trailing blanks', () => {
    expect(shown('\u001b[32mlistening on http://127.0.0.1:41234\u001b[39m  \nlog in /tmp/walk-1/guide/a.log\n\n')).toBe('listening on http://127.0.0.1:3000\nlog in /tmp/seam-guide/a.log');
    expect(shown('pid 412345 port 41234')).toBe('pid 412345 port 3000');
  });

  it('takes … for any text within a line, and a line of … for any lines', () => {
    expect(matchesExpected('pid 4242 ready', 'pid … ready')).toBe(true);
    expect(matchesExpected('a\nb\nc\nd', 'a\n…\nd')).toBe(true);
    expect(matchesExpected('a\nd', 'a\n…\nd')).toBe(true);
    expect(matchesExpected('a\nb', '…\nb')).toBe(true);
  });

  it('holds everything else to the letter: order, extra lines, missing lines, and no output where none is shown', () => {
    expect(matchesExpected('b\na', 'a\nb')).toBe(false);
    expect(matchesExpected('a\nb', 'a')).toBe(false);
    expect(matchesExpected('a', 'a\nb')).toBe(false);
    expect(matchesExpected('pid 4242\nready', 'pid … ready')).toBe(false);
    expect(matchesExpected('', undefined)).toBe(true);
    expect(matchesExpected('unexpected', undefined)).toBe(false);
    expect(matchesExpected('a.c', 'abc')).toBe(false);
  });
});
