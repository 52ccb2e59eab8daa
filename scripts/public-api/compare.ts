/**
 * @module Which differences between two OpenAPI documents of the public API break a client
 * written against the older one, and which do not. Used by `scripts/public-api.ts`
 * (`npm run check:api`); the schemas themselves are compared by the contract differ
 * (scripts/contract-diff/), requests as inputs and answers as outputs.
 *
 * Breaking: an operation removed; authentication newly required; a parameter or request
 * body removed, added as required or made required, or its schema narrowed; a success
 * answer's schema widened or a field of it removed, a success status added (an old client
 * does not expect it) or a media type dropped; an error code moved to another status.
 * Not breaking: a new operation, an optional parameter, a field added to an answer, a new
 * or retired error code (clients must already handle codes they do not know, as for
 * contracts), a success status no longer answered, descriptions and examples.
 */
import type { JsonSchema } from '../../src/kernel/contract-schema.js';
import { compareSchema, type ContractChanges } from '../contract-diff/index.js';

/** The parts of an OpenAPI document the comparison reads, as plain JSON. */
export interface ApiDocument {
  readonly info: { readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly schema?: JsonSchema;
}

interface Media {
  readonly schema?: JsonSchema;
  readonly examples?: Readonly<Record<string, unknown>>;
}

interface Operation {
  readonly security?: readonly unknown[];
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content: Readonly<Record<string, Media>> };
  readonly responses?: Readonly<Record<string, { readonly content?: Readonly<Record<string, Media>> }>>;
}

const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

class Changes {
  readonly breaking: string[] = [];
  readonly additive: string[] = [];
  add(changes: ContractChanges): void {
    this.breaking.push(...changes.breaking);
    this.additive.push(...changes.additive);
  }
}

const needsAuth = (operation: Operation): boolean => (operation.security ?? []).length > 0;
const isSuccess = (status: string): boolean => status.startsWith('2');

/** Each error code an operation documents, with the status it answers with (from the examples, one per code). */
const errorStatuses = (operation: Operation): Map<string, string> => {
  const statuses = new Map<string, string>();
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (isSuccess(status)) continue;
    for (const media of Object.values(response.content ?? {})) for (const code of Object.keys(media.examples ?? {})) statuses.set(code, status);
  }
  return statuses;
};

const compareParameters = (head: string, before: Operation, after: Operation, changes: Changes): void => {
  const key = (parameter: Parameter): string => `${parameter.in} parameter "${parameter.name}"`;
  const previous = new Map((before.parameters ?? []).map((parameter) => [key(parameter), parameter]));
  const current = new Map((after.parameters ?? []).map((parameter) => [key(parameter), parameter]));
  for (const [name, old] of previous) {
    const now = current.get(name);
    if (now === undefined) {
      changes.breaking.push(`${head}: ${name} removed`);
      continue;
    }
    if (!old.required && now.required) changes.breaking.push(`${head}: ${name} made required`);
    if (old.required && !now.required) changes.additive.push(`${head}: ${name} made optional`);
    if (old.schema && now.schema) changes.add(compareSchema(`${head} ${name}`, old.schema, now.schema, 'input'));
  }
  for (const [name, now] of current) {
    if (!previous.has(name)) (now.required ? changes.breaking : changes.additive).push(`${head}: ${name} added${now.required ? ' as required' : ''}`);
  }
};

const compareRequestBodies = (head: string, before: Operation, after: Operation, changes: Changes): void => {
  const old = before.requestBody;
  const now = after.requestBody;
  if (old === undefined && now === undefined) return;
  if (old === undefined) {
    (now?.required ? changes.breaking : changes.additive).push(`${head}: request body added${now?.required ? ' as required' : ''}`);
    return;
  }
  if (now === undefined) {
    changes.breaking.push(`${head}: request body no longer read`);
    return;
  }
  if (!old.required && now.required) changes.breaking.push(`${head}: request body made required`);
  for (const [media, { schema }] of Object.entries(old.content)) {
    const next = now.content[media];
    if (next === undefined) changes.breaking.push(`${head}: request body no longer accepted as ${media}`);
    else if (schema && next.schema) changes.add(compareSchema(`${head} request body`, schema, next.schema, 'input'));
  }
};

const compareAnswers = (head: string, before: Operation, after: Operation, changes: Changes): void => {
  const old = before.responses ?? {};
  const now = after.responses ?? {};
  for (const [status, response] of Object.entries(old)) {
    if (!isSuccess(status)) continue;
    const next = now[status];
    if (next === undefined) {
      changes.additive.push(`${head}: no longer answers ${status}`);
      continue;
    }
    for (const [media, { schema }] of Object.entries(response.content ?? {})) {
      const nextMedia = next.content?.[media];
      if (nextMedia === undefined) changes.breaking.push(`${head}: the ${status} answer is no longer ${media}`);
      else if (schema && nextMedia.schema) changes.add(compareSchema(`${head} ${status} answer`, schema, nextMedia.schema, 'output'));
    }
  }
  for (const status of Object.keys(now)) {
    if (isSuccess(status) && !(status in old)) changes.breaking.push(`${head}: may now answer ${status}, which older clients do not expect`);
  }
  const oldCodes = errorStatuses(before);
  const newCodes = errorStatuses(after);
  for (const [code, status] of oldCodes) {
    const next = newCodes.get(code);
    if (next === undefined) changes.additive.push(`${head}: no longer answers ${code}`);
    else if (next !== status) changes.breaking.push(`${head}: ${code} now answers ${next} instead of ${status}`);
  }
  for (const [code, status] of newCodes) if (!oldCodes.has(code)) changes.additive.push(`${head}: may now answer ${code} (${status})`);
};

const operationsOf = (document: ApiDocument): Map<string, Operation> => {
  const operations = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) if (methods.has(method)) operations.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return operations;
};

/**
 * Every difference between two documents of the public API that a client could notice, as
 * messages such as `GET /products 200 answer: field "items[].price" removed`.
 */
export const compareApis = (previous: ApiDocument, current: ApiDocument): ContractChanges => {
  const changes = new Changes();
  const before = operationsOf(previous);
  const after = operationsOf(current);
  for (const [head, old] of before) {
    const now = after.get(head);
    if (now === undefined) {
      changes.breaking.push(`${head}: operation removed`);
      continue;
    }
    if (!needsAuth(old) && needsAuth(now)) changes.breaking.push(`${head}: now requires authentication`);
    if (needsAuth(old) && !needsAuth(now)) changes.additive.push(`${head}: no longer requires authentication`);
    compareParameters(head, old, now, changes);
    compareRequestBodies(head, old, now, changes);
    compareAnswers(head, old, now, changes);
  }
  for (const head of after.keys()) if (!before.has(head)) changes.additive.push(`${head}: operation added`);
  const oldSchemas = previous.components?.schemas ?? {};
  const newSchemas = current.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(oldSchemas)) {
    const next = newSchemas[name];
    if (next === undefined) changes.breaking.push(`components.schemas.${name}: removed`);
    else changes.add(compareSchema(`components.schemas.${name}`, schema, next, 'output'));
  }
  return { breaking: [...new Set(changes.breaking)], additive: [...new Set(changes.additive)] };
};

/** The major version of a document (`info.version` "1.4.0" is 1): a new major is compared with nothing. */
export const majorOf = (document: ApiDocument): number => {
  const major = Number(/^(\d+)\./.exec(document.info.version)?.[1]);
  if (!Number.isInteger(major) || major < 1) throw new Error(`info.version "${document.info.version}" does not start with a major version number`);
  return major;
};
