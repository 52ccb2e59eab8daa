/**
 * @module Whether a Node version satisfies a package.json `engines.node` range, for the forms
 * ranges are written in: comparators (`>=20.19`, `<25`), `^`, `~`, a bare version, `x`
 * wildcards, space for "and", `||` for "or". Anything else is reported as unreadable rather
 * than guessed at.
 */

type Version = readonly [number, number, number];

const parse = (text: string): { version: Version; given: number } | undefined => {
  const match = /^v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(text.trim());
  if (!match) return undefined;
  const parts = match.slice(1).filter((part): part is string => part !== undefined && part !== 'x' && part !== '*');
  const [major = 0, minor = 0, patch = 0] = parts.map(Number);
  return { version: [major, minor, patch], given: parts.length };
};

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One comparator; undefined when it is not one of the forms above. */
const satisfiesOne = (version: Version, comparator: string): boolean | undefined => {
  const [, operator = '', rest = ''] = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(comparator) ?? [];
  const bound = parse(rest);
  if (!bound) return undefined;
  const order = compare(version, bound.version);
  // A partial version means the whole span it names: "20" is 20.x.x, "^20.19" is 20.19 up to 21.
  const spanEnd = (level: number): Version => (level === 0 ? [bound.version[0] + 1, 0, 0] : level === 1 ? [bound.version[0], bound.version[1] + 1, 0] : [bound.version[0], bound.version[1], bound.version[2] + 1]);
  switch (operator) {
    case '>=':
      return order >= 0;
    case '>':
      return bound.given < 3 ? compare(version, spanEnd(bound.given - 1)) >= 0 : order > 0;
    case '<':
      return order < 0;
    case '<=':
      return bound.given < 3 ? compare(version, spanEnd(bound.given - 1)) < 0 : order <= 0;
    case '^':
      return order >= 0 && compare(version, spanEnd(bound.version[0] === 0 && bound.given > 1 ? 1 : 0)) < 0;
    case '~':
      return order >= 0 && compare(version, spanEnd(bound.given > 1 ? 1 : 0)) < 0;
    default:
      return bound.given === 0 || (order >= 0 && compare(version, spanEnd(bound.given - 1)) < 0);
  }
};

/** True or false when `range` could be read; undefined when it could not. */
export const satisfiesRange = (nodeVersion: string, range: string): boolean | undefined => {
  const version = parse(nodeVersion.replace(/-.*$/, ''));
  if (!version) return undefined;
  const alternatives = range.split('||').map((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean)
      .map((comparator) => satisfiesOne(version.version, comparator)),
  );
  if (alternatives.some((results) => results.includes(undefined))) return undefined;
  return alternatives.some((results) => results.every(Boolean));
};
