/**
 * @module Small reads and edits of `yaml` Document nodes, shared by the topology, compose and
 * kustomize editors: find a pair or item, insert next to its kind, rename a service in a copy.
 */
import { isMap, isNode, isScalar, isSeq, visit, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

type Parent = Document | Node | null | undefined;

/** The node at `path` under `parent`, when there is one. */
const nodeAt = (parent: Parent, path: readonly (string | number)[]): unknown => {
  if (!parent) return undefined;
  if (path.length === 0) return parent;
  return (parent as Document | YAMLMap).getIn(path, true);
};

export const mapAt = (parent: Parent, ...path: (string | number)[]): YAMLMap | undefined => {
  const node = nodeAt(parent, path);
  return isMap(node) ? node : undefined;
};

export const seqAt = (parent: Parent, ...path: (string | number)[]): YAMLSeq | undefined => {
  const node = nodeAt(parent, path);
  return isSeq(node) ? node : undefined;
};

/** The plain value at `path`, as a string when it is a scalar. */
export const textAt = (parent: Parent, ...path: (string | number)[]): string | undefined => {
  const node = nodeAt(parent, path);
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
};

export const keyOf = (pair: Pair): string | undefined => (isScalar(pair.key) ? String(pair.key.value) : undefined);

export const pairOf = (map: YAMLMap, key: string): Pair | undefined => map.items.find((pair) => keyOf(pair) === key);

/** Inserts `item` after the last of `items` that `matches`, or at the end when none does. */
export const insertAfterLast = <T>(items: T[], item: T, matches: (candidate: T) => boolean): void => {
  const last = items.findLastIndex(matches);
  items.splice(last === -1 ? items.length : last + 1, 0, item);
};

/** Removes the items that `matches`; returns how many. */
export const removeWhere = <T>(items: T[], matches: (candidate: T) => boolean): number => {
  const before = items.length;
  for (let index = items.length - 1; index >= 0; index--) if (matches(items[index] as T)) items.splice(index, 1);
  return before - items.length;
};

const escaped = (word: string): string => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with each whole word that `renames` has replaced; longer words first, so DATABASE_URL_X wins over X. */
export const renamedWords = (text: string, renames: ReadonlyMap<string, string>): string => {
  const words = [...renames.keys()].sort((one, other) => other.length - one.length);
  if (words.length === 0) return text;
  const pattern = new RegExp(`(?<![\\w-])(${words.map(escaped).join('|')})(?![\\w-])`, 'g');
  return text.replace(pattern, (word) => renames.get(word) ?? word);
};

/**
 * Renames a copied service in place: every scalar value (never a key) equal to a word of
 * `renames` becomes its new name, and the same words in comments, so a copy of the orders
 * Deployment reads as inventory's down to its comments.
 */
export const renameAll = (root: Document | Node, renames: ReadonlyMap<string, string>): void => {
  const comments = (node: { commentBefore?: string | null; comment?: string | null }): void => {
    if (node.commentBefore) node.commentBefore = renamedWords(node.commentBefore, renames);
    if (node.comment) node.comment = renamedWords(node.comment, renames);
  };
  if (!isNode(root)) comments(root);
  visit(root, {
    Node(key, node) {
      comments(node);
      if (isScalar(node) && key !== 'key' && typeof node.value === 'string') {
        const renamed = renames.get(node.value);
        if (renamed !== undefined) node.value = renamed;
      }
    },
  });
};

/** The map holding the pair whose value carries `anchor`, and that pair. */
export const anchoredPair = (document: Document, anchor: string): { readonly map: YAMLMap; readonly pair: Pair } | undefined => {
  let found: { map: YAMLMap; pair: Pair } | undefined;
  visit(document, {
    Pair(_key, pair, path) {
      const parent = path.at(-1);
      if (isNode(pair.value) && pair.value.anchor === anchor && isMap(parent)) {
        found = { map: parent, pair };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
};

/**
 * `url` (scheme://user:password@rest) with the role and placeholder password of `service`,
 * the rest (host, port, database) as it was; undefined when it has no user part to replace.
 */
export const withRole = (url: string, role: string, service: string): string | undefined => {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)[^:@/]*(?::[^@/]*)?@(.*)$/i.exec(url);
  return match ? `${match[1]}${role}:change-me-${service}@${match[2]}` : undefined;
};
