/**
 * @module The two edits that make a generated module part of the application: its module in
 * the application file's `modules`, and its contract and example route in the public edge.
 * Both are planned on the text before anything is written; a file without the expected shape
 * fails with one line saying what to add by hand.
 */
import { dirname, relative } from 'node:path';
import { CliFailure } from '../cli-errors.js';
import type { ModuleNames } from './names.js';
import { addImport, appendToLiteral, closingBracket, indentationOf } from './source-edits.js';

/** An import specifier from the folder `fromDir` to the file `to` (a `.ts` path), as the sources write it. */
export const specifierFrom = (fromDir: string, to: string): string => {
  const path = relative(fromDir, to).replaceAll('\\', '/').replace(/\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
};

const required = (edited: string | undefined, file: string, what: string, byHand: string): string => {
  if (edited === undefined) throw new CliFailure(`${file} has no ${what}: ${byHand} by hand, or restore its usual shape and run again`);
  return edited;
};

/** The application file with the module imported and appended to `modules: [...]`. */
export const addToApplication = (text: string, options: { readonly file: string; readonly shownFile: string; readonly moduleFile: string; readonly names: ModuleNames }): string => {
  const { names, shownFile } = options;
  const specifier = specifierFrom(dirname(options.file), options.moduleFile);
  const byHand = `import { ${names.camel}Module } from '${specifier}' and add it to the application's modules`;
  const imported = required(addImport(text, `import { ${names.camel}Module } from '${specifier}';`, specifier), shownFile, 'import block', byHand);
  return required(appendToLiteral(imported, /\bmodules:\s*\[/, `${names.camel}Module`), shownFile, '"modules: [" list', byHand);
};

export interface EdgeEditOptions {
  readonly file: string;
  readonly shownFile: string;
  readonly contractFile: string;
  readonly routesFile: string;
  readonly names: ModuleNames;
}

/**
 * Mounts the module's routes on the edge (`.route('/', <m>Routes(<m>, tokens))` after the
 * last mounted route) and adds its contract to `requires`, which is also what allows the
 * gateway to call it in a split deployment.
 */
export const addToEdge = (text: string, options: EdgeEditOptions): string => {
  const { names, shownFile } = options;
  const dir = dirname(options.file);
  const contractSpecifier = specifierFrom(dir, options.contractFile);
  const routesSpecifier = specifierFrom(dir, options.routesFile);
  const mount = `.route('/', ${names.camel}Routes(${names.camel}, tokens))`;
  const byHand = `add ${names.camel}: ${names.camel}Contract to its requires and mount ${mount}`;
  let edited = required(addImport(text, `import { ${names.camel}Contract } from '${contractSpecifier}';`, contractSpecifier), shownFile, 'import block', byHand);
  edited = required(addImport(edited, `import { ${names.camel}Routes } from '${routesSpecifier}';`, routesSpecifier), shownFile, 'import block', byHand);
  edited = required(appendToLiteral(edited, /\brequires:\s*\{/, `${names.camel}: ${names.camel}Contract`), shownFile, '"requires: {" object', byHand);
  edited = required(withRouteParameters(edited, names.camel), shownFile, '"routes: ({ ... }, { tokens }) =>" function', byHand);
  edited = required(withMountedRoute(edited, mount), shownFile, "mounted route (.route('/', ...))", byHand);
  // The tag only groups the operation in the API reference: a file without a tag list still works.
  return appendToLiteral(edited, /\btags:\s*\[/, `{ name: '${names.pascal}', description: 'The ${names.words} module' }`) ?? edited;
};

/** `routes: ({ a, b }, { tokens }) =>` with `name` among the APIs and `tokens` in the context. */
const withRouteParameters = (text: string, name: string): string | undefined => {
  const routes = /\broutes:\s*\(\s*\{/.exec(text);
  if (!routes) return undefined;
  const withApi = appendToLiteral(text, /\{/, name, routes.index);
  if (withApi === undefined) return undefined;
  const apisOpen = withApi.indexOf('{', routes.index);
  const apisClose = closingBracket(withApi, apisOpen);
  const rest = withApi.slice(apisClose + 1);
  const context = /^\s*,\s*\{/.exec(rest);
  if (context) {
    const contextOpen = apisClose + context[0].length;
    const contextText = withApi.slice(contextOpen, closingBracket(withApi, contextOpen) + 1);
    return /\btokens\b/.test(contextText) ? withApi : appendToLiteral(withApi, /\{/, 'tokens', contextOpen);
  }
  if (/^\s*\)/.test(rest)) return `${withApi.slice(0, apisClose + 1)}, { tokens }${rest}`;
  return undefined;
};

/** `mount` chained after the last `.route(...)` of the routes function, on a line of its own when they are. */
const withMountedRoute = (text: string, mount: string): string | undefined => {
  const routes = /\broutes:\s*\(/.exec(text);
  if (!routes) return undefined;
  const last = text.lastIndexOf('.route(');
  if (last < routes.index) return undefined;
  const close = closingBracket(text, last + '.route'.length);
  if (close < 0) return undefined;
  const ownLine = text.slice(text.lastIndexOf('\n', last) + 1, last).trim() === '';
  const joint = ownLine ? `\n${indentationOf(text, last)}` : '';
  return `${text.slice(0, close + 1)}${joint}${mount}${text.slice(close + 1)}`;
};
