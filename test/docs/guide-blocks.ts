/**
 * @module The runnable shape of a guide: its ```sh blocks in order, each with the output the
 * ```text block after it shows (none shown means it prints nothing), and the blocks a walk
 * must not run as written, each marked by an HTML comment on the line before its fence:
 *
 *   <!-- test/docs: skip — why -->       not run (it reinstalls packages, needs a cluster, ...)
 *   <!-- test/docs: settings — why -->   replaced by the walk's own values for the same variables
 */

export interface GuideBlock {
  /** `run` as written, `skip` not at all, `settings` replaced by the walk's values. */
  readonly kind: 'run' | 'skip' | 'settings';
  readonly code: string;
  /** The ```text block that follows, before the next ```sh block; undefined: it prints nothing. */
  readonly expected?: string;
  /** Why it is skipped or replaced, from its marker. */
  readonly reason?: string;
  /** 1-based line of its opening fence, for messages. */
  readonly line: number;
  /** The nearest heading above it. */
  readonly section: string;
}

const fence = /^```(\w*)[^\n]*$/;
const marker = /^<!-- test\/docs: (skip|settings) — (.+?) -->$/;

/**
 * Every ```sh block of `markdown` with its expected output and marker. Throws on a ```text
 * block with no ```sh block before it, on two ```text blocks for one command block, and on a
 * marker that is not directly above a ```sh fence: a guide the walk would misread.
 */
export const guideBlocks = (markdown: string): GuideBlock[] => {
  const lines = markdown.split('\n');
  const blocks: { kind: GuideBlock['kind']; code: string; expected?: string; reason?: string; line: number; section: string }[] = [];
  let section = '(top)';
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (/^#{1,6} /.test(line)) section = line.replace(/^#+ /, '');
    const marked = marker.exec(line);
    if (marked && !/^```sh\b/.test(lines[index + 1] ?? '')) throw new Error(`line ${index + 1}: a test/docs marker must be directly above a \`\`\`sh fence`);
    const opened = fence.exec(line);
    if (!opened) continue;
    const end = lines.findIndex((candidate, at) => at > index && candidate.startsWith('```'));
    if (end < 0) throw new Error(`line ${index + 1}: a fence that is never closed`);
    const body = lines.slice(index + 1, end).join('\n');
    const language = opened[1];
    if (language === 'sh') {
      const above = marker.exec(lines[index - 1] ?? '');
      blocks.push({ kind: (above?.[1] as 'skip' | 'settings' | undefined) ?? 'run', code: body, ...(above ? { reason: above[2] } : {}), line: index + 1, section });
    } else if (language === 'text') {
      const owner = blocks.at(-1);
      if (!owner) throw new Error(`line ${index + 1}: an output block before any command block`);
      if (owner.expected !== undefined) throw new Error(`line ${index + 1}: a second output block for the commands of line ${owner.line}`);
      owner.expected = body;
    }
    index = end;
  }
  return blocks;
};

/** The variables a settings block assigns (`export A=1 B=2`, `A=1`), in order. */
export const assignedVariables = (code: string): string[] =>
  code
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').replace(/^\s*export\s+/, ''))
    .flatMap((line) => [...line.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=/g)].map((match) => match[1] ?? ''));
