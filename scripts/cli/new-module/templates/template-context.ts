/**
 * @module What every template of a generated module gets: its names, whether it publishes an
 * event, which events of other modules it consumes, and how its files reach the framework (import specifiers, since where the framework
 * sits is the project's choice, read from its application file).
 */
import type { ModuleNames } from '../names.js';

export interface ImportPaths {
  /** From the module's folder to the framework's kernel, e.g. `../../kernel`. */
  readonly kernelFromModule: string;
  /** From the module's folder to the framework's transports (the generated test binds in process). */
  readonly transportFromModule: string;
  /** From the api folder to the kernel, e.g. `../kernel`. */
  readonly kernelFromApi: string;
  /** From the api folder to the gateway, e.g. `../gateway`. */
  readonly gatewayFromApi: string;
  /** From the api folder to the module's folder, e.g. `../modules/reviews`. */
  readonly moduleFromApi: string;
}

/** An event of another module that the generated module consumes (`--subscribe reviews.ReviewAdded`). */
export interface SubscribedTemplate {
  /** The publishing module's name. */
  readonly module: string;
  readonly event: string;
  /** `reviews/v1#ReviewAdded`. */
  readonly type: string;
  /** The publisher's contract as its contract.ts exports it, e.g. `reviewsContract`. */
  readonly contract: string;
  /** The import specifier of that contract.ts from the module's folder, e.g. `../reviews/contract.js`. */
  readonly contractFromModule: string;
}

export interface TemplateContext {
  readonly names: ModuleNames;
  /** `--events`: the contract declares one event, which the method publishes. */
  readonly events: boolean;
  /** `--subscribe`: each gets a handler, and the module an inbox and a table of what it heard. */
  readonly subscriptions: readonly SubscribedTemplate[];
  readonly paths: ImportPaths;
}

/** The command that wrote the module, as its files tell the reader. */
export const generatedBy = ({ names, events, subscriptions }: TemplateContext): string =>
  ['seam new module', names.module, ...(events ? ['--events'] : []), ...subscriptions.map(({ module, event }) => `--subscribe ${module}.${event}`)].join(' ');


/** `text` as the lines of a doc comment, wrapped at about 100 columns, never inside a `code span`. */
export const commentLines = (text: string): string => {
  const lines: string[] = [];
  for (const word of text.match(/`[^`]*`\S*|\S+/g) ?? []) {
    const last = lines.at(-1);
    if (last !== undefined && ` * ${last} ${word}`.length <= 100) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.map((line) => ` * ${line}`).join('\n');
};
