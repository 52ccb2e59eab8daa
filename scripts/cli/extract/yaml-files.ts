/**
 * @module YAML files being edited with the `yaml` Document API: each read once, changed in
 * place, and written back in the layout it came in (comments, blank lines, flow lists), so a
 * file that ends up as it began ends up byte for byte as it began.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments, type Document } from 'yaml';
import { CliFailure } from '../cli-errors.js';
import type { FileChange } from '../file-changes.js';

/** The deploy/ files' own layout: `[a, b]` without padding, long lines never folded. */
const layout = { flowCollectionPadding: false, lineWidth: 0 } as const;

/** The text of `documents`, one after another as a multi-document file holds them. */
export const yamlText = (documents: readonly Document[]): string => documents.map((document) => document.toString(layout)).join('');

/** Parses `text`; a document with an error is a failure naming `where`. */
export const parseYamlFile = (text: string, where: string): Document[] => {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [];
  const broken = list.find((document) => document.errors.length > 0);
  if (broken) throw new CliFailure(`${where} is not valid YAML (${broken.errors[0]?.message.split('\n')[0]}): fix it first`);
  return list;
};

export class YamlFiles {
  private readonly before = new Map<string, string | undefined>();
  private readonly after = new Map<string, Document[] | undefined>();

  /** `shown` turns an absolute path into what messages name. */
  constructor(readonly shown: (path: string) => string) {}

  /** Whether `path` exists, as edited so far. */
  exists(path: string): boolean {
    return this.after.has(path) ? this.after.get(path) !== undefined : existsSync(path);
  }

  /** The documents of `path` (absolute), to edit in place. */
  documents(path: string): Document[] {
    if (!this.after.has(path)) {
      const text = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      this.before.set(path, text);
      this.after.set(path, text === undefined ? undefined : parseYamlFile(text, this.shown(path)));
    }
    const documents = this.after.get(path);
    if (documents === undefined) throw new CliFailure(`${this.shown(path)} does not exist`);
    return documents;
  }

  /** Creates `path` with `documents` (or replaces what it held). */
  create(path: string, documents: Document[]): void {
    if (!this.before.has(path)) this.before.set(path, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
    this.after.set(path, documents);
  }

  remove(path: string): void {
    this.documents(path);
    this.after.set(path, undefined);
  }

  /** What changed, in the order the files were first touched; files that end as they began are left out. */
  changes(): FileChange[] {
    const changes: FileChange[] = [];
    for (const [path, before] of this.before) {
      const documents = this.after.get(path);
      const after = documents === undefined ? undefined : yamlText(documents);
      if (after !== before) changes.push({ path, before, after });
    }
    return changes;
  }
}
