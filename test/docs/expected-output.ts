/**
 * @module Comparing what a command printed with the output a guide shows for it. The guide
 * shows a run on its default ports and directory; a walk runs on its own, so those are mapped
 * back first. Where runs differ (ids, pids, timings, free ports), the guide writes `…`: within
 * a line it stands for any text, and a line of its own for any number of lines. Everything
 * else must match exactly, line by line, trailing spaces and blank lines at the ends aside.
 */

/** What the walk runs with instead of the guide's values: actual → shown. */
export interface Substitutions {
  /** Actual port numbers and the guide's defaults they stand for. */
  readonly ports: ReadonlyMap<number, number>;
  /** Actual paths (directories) and the guide's ones they stand for. */
  readonly paths: ReadonlyMap<string, string>;
}

const trimLines = (text: string): string[] => {
  const lines = text.replace(/\r\n/g, '\n').split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
};

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `output` as the guide would show it: its ports and paths, without terminal colours. */
export const asShown = (output: string, substitutions: Substitutions): string => {
  let shown = output.replace(/\u001b\[[0-9;]*m/g, '');
  for (const [actual, guide] of substitutions.paths) shown = shown.replaceAll(actual, guide);
  for (const [actual, guide] of substitutions.ports) shown = shown.replace(new RegExp(`(?<![0-9])${actual}(?![0-9])`, 'g'), String(guide));
  return trimLines(shown).join('\n');
};

/** A regular expression for `expected`, `…` standing for what may differ. */
const patternOf = (expected: string): RegExp => {
  const parts = trimLines(expected).map((line) => (line === '…' ? '(?:[^\\n]*\\n)*?' : `${line.split('…').map(escape).join('[^\\n]*?')}\\n`));
  return new RegExp(`^${parts.join('')}$`);
};

/** True when `shown` (see asShown) is what `expected` describes; no expected output means none printed. */
export const matchesExpected = (shown: string, expected: string | undefined): boolean =>
  expected === undefined ? shown === '' : patternOf(expected).test(shown === '' ? '' : `${shown}\n`);
