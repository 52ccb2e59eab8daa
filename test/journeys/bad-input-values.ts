/**
 * @module The values the bad-input tables break a request with: a field set or left out of a
 * body, each row's title, and strings JSON can carry but the routes must refuse.
 */

/** A field left out of a body, in the tables of the bad-input tests. */
export const missing = Symbol('missing');

/** A deep copy of `base` with the dotted `path` set to `value` (or removed, for `missing`). */
export const withField = (base: unknown, path: string, value: unknown): unknown => {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy);
  if (value === missing) delete parent[last];
  else parent[last] = value;
  return copy;
};

const show = (value: unknown): string => {
  if (value === missing) return 'missing';
  if (typeof value === 'string' && value.length > 24) return `"${value.slice(0, 8)}…" (${value.length} chars)`;
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
};

/** Rows `[path, value, field?]` of a field table: each a 400 naming `field` (default: the path). */
type FieldRow = readonly [path: string, value: unknown, field?: string];
export const fieldCases = (rows: readonly FieldRow[]) =>
  rows.map(([path, value, field]) => [`${path} = ${show(value)} is 400 naming ${field ?? path}`, { path, value, field: field ?? path }] as const);

export const long = (length: number, char = 'x'): string => char.repeat(length);
export const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
export const nul = 'a\u0000b';
/** A lone UTF-16 surrogate: JSON can carry it ("\ud800"), Unicode text cannot. */
export const loneSurrogate = 'Ber\ud800lin';
