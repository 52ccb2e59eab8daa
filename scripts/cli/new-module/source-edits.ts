/**
 * @module Small, careful edits of TypeScript source text: an import put among its kind, an
 * entry appended to an array or object literal, keeping the file's own layout. Each returns
 * the new text, or undefined when the file does not have the shape looked for, so the caller
 * can say what to add by hand instead of guessing.
 */

/** The index of the bracket closing the one at `open`, skipping strings and comments; -1 if none. */
export const closingBracket = (text: string, open: number): number => {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let index = open; index < text.length; index += 1) {
    const char = text[index]!;
    const next = text[index + 1];
    if (char === '/' && next === '/') {
      index = text.indexOf('\n', index);
      if (index < 0) return -1;
    } else if (char === '/' && next === '*') {
      index = text.indexOf('*/', index + 2) + 1;
      if (index <= 0) return -1;
    } else if (char === "'" || char === '"' || char === '`') {
      // Template literals with ${...} inside do not occur in the lists edited here.
      for (index += 1; index < text.length && text[index] !== char; index += 1) if (text[index] === '\\') index += 1;
    } else if (char in pairs) {
      stack.push(pairs[char]!);
    } else if (char === ')' || char === ']' || char === '}') {
      if (stack.pop() !== char) return -1;
      if (stack.length === 0) return index;
    }
  }
  return -1;
};

const lineStart = (text: string, index: number): number => text.lastIndexOf('\n', index - 1) + 1;
const indentationAt = (text: string, index: number): string => /^[ \t]*/.exec(text.slice(lineStart(text, index)))?.[0] ?? '';
/** The text with its line comments removed, for deciding whether code ends with a comma. */
const withoutLineComment = (line: string): string => line.replace(/\/\/.*$/, '').trimEnd();

/**
 * Appends `entry` to the array or object literal whose opening bracket ends the first match
 * of `opener` at or after `from`: on a line of its own in a multi-line literal (indented like
 * the others), else inline.
 */
export const appendToLiteral = (text: string, opener: RegExp, entry: string, from = 0): string | undefined => {
  const match = new RegExp(opener.source, opener.flags.replace('g', '') + 'g');
  match.lastIndex = from;
  const found = match.exec(text);
  if (!found) return undefined;
  const open = found.index + found[0].length - 1;
  if (!'[{'.includes(text[open] ?? '')) return undefined;
  const close = closingBracket(text, open);
  if (close < 0) return undefined;
  const inner = text.slice(open + 1, close);
  const spaced = text[open] === '{';
  if (inner.trim() === '') return `${text.slice(0, open + 1)}${spaced ? ` ${entry} ` : entry}${text.slice(close)}`;
  if (!inner.includes('\n')) {
    const content = inner.trimEnd();
    const separator = content.endsWith(',') ? ' ' : ', ';
    return `${text.slice(0, open + 1)}${content}${separator}${entry}${inner.slice(content.length)}${text.slice(close)}`;
  }
  const closeLine = lineStart(text, close);
  if (text.slice(closeLine, close).trim() !== '') return undefined;
  const lines = inner.split('\n');
  const entryLine = lines.find((line) => line.trim() !== '') ?? '';
  const indent = /^[ \t]*/.exec(entryLine)?.[0] ?? '';
  // The last line holding code gets a comma if it has none (a comment after it stays put).
  let before = text.slice(0, closeLine);
  const codeLines = before.split('\n');
  for (let index = codeLines.length - 1; index >= 0; index -= 1) {
    const code = withoutLineComment(codeLines[index]!);
    if (code.trim() === '' || code.trim().startsWith('*') || code.trim().startsWith('/*')) continue;
    if (!code.endsWith(',') && !code.endsWith(text[open]!)) codeLines[index] = `${code},${codeLines[index]!.slice(code.length)}`;
    break;
  }
  before = codeLines.join('\n');
  return `${before}${indent}${entry},\n${text.slice(closeLine)}`;
};

interface ImportStatement {
  readonly start: number;
  readonly end: number;
  readonly specifier: string;
}

const importStatements = (text: string): ImportStatement[] =>
  [...text.matchAll(/^import\s[^;]*?from\s+'([^']+)';[ \t]*$/gm)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    specifier: match[1] ?? '',
  }));

/** How many leading folders two import specifiers share (`../modules/a/x.js` and `../modules/b/y.js`: two). */
const sharedFolders = (one: string, other: string): number => {
  const folders = (specifier: string): string[] => specifier.split('/').slice(0, -1);
  const [a, b] = [folders(one), folders(other)];
  let shared = 0;
  while (shared < a.length && a[shared] === b[shared]) shared += 1;
  return shared;
};

/**
 * Adds `statement` (a whole import line from `specifier`) to the imports most like it (those
 * sharing the most leading folders: the other modules' contracts, say), in order among them;
 * after the last import when none shares a folder.
 */
export const addImport = (text: string, statement: string, specifier: string): string | undefined => {
  const imports = importStatements(text);
  if (imports.length === 0) return undefined;
  const closest = Math.max(...imports.map((candidate) => sharedFolders(candidate.specifier, specifier)));
  const kin = closest === 0 ? [] : imports.filter((candidate) => sharedFolders(candidate.specifier, specifier) === closest);
  const following = kin.find((candidate) => candidate.specifier.localeCompare(specifier) > 0);
  if (following) return `${text.slice(0, following.start)}${statement}\n${text.slice(following.start)}`;
  const last = kin.at(-1) ?? imports.at(-1)!;
  return `${text.slice(0, last.end)}\n${statement}${text.slice(last.end)}`;
};

/** The indentation of the line holding `index`. */
export const indentationOf = indentationAt;
