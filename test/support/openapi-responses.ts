/**
 * @module Checks the shop's answers against the OpenAPI document it serves: the operation is
 * documented, the status is one it lists, the content type one that status lists, the body
 * valid against that media type's schema, and a problem's code one of those the status names.
 *
 * Schemas are evaluated by @hyperjump/json-schema's OpenAPI 3.1 dialect (JSON Schema 2020-12
 * plus the OAS base vocabulary), with `$ref`s resolved inside the served document itself.
 */
import { randomUUID } from 'node:crypto';
import { DETAILED } from '@hyperjump/json-schema/experimental';
import { registerSchema, validate, type OutputUnit } from '@hyperjump/json-schema/openapi-3-1';

/** JSON as JSON.parse returns it, the instance type the validator takes. */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One request and what came back, as a client saw it. */
export interface Exchange {
  readonly method: string;
  /** Below the API's base (`/products/abc?limit=5`), as the document's paths are. */
  readonly path: string;
  readonly status: number;
  /** The Content-Type header, parameters included; null when there was none. */
  readonly contentType: string | null;
  /** The body as text, empty when there was none. */
  readonly body: string;
}

interface MediaType {
  readonly examples?: Readonly<Record<string, unknown>>;
}
interface ResponseDoc {
  readonly content?: Readonly<Record<string, MediaType>>;
}
interface OperationDoc {
  readonly operationId?: string;
  readonly responses?: Readonly<Record<string, ResponseDoc>>;
}
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, Readonly<Record<string, OperationDoc>>>>;
}

const oas31Document = 'https://spec.openapis.org/oas/3.1/schema-base';
const problemMedia = 'application/problem+json';

/** A JSON pointer token, escaped for a pointer and then for a URI fragment (`{id}` is not allowed bare). */
const pointerToken = (token: string): string => encodeURIComponent(token.replaceAll('~', '~0').replaceAll('/', '~1'));

/** The value at a URI fragment's JSON pointer (`#/paths/~1products/get`), or undefined. */
const at = (root: unknown, fragment: string): unknown =>
  fragment
    .replace(/^#?\/?/, '')
    .split('/')
    .filter((token) => token !== '')
    .map((token) => decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((value, token) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[token] : undefined), root);

/** The document's path template an actual path falls under: literal paths before templated ones, as OpenAPI says. */
const templateOf = (document: OpenApiDocument, path: string): string | undefined => {
  const templates = Object.keys(document.paths);
  if (templates.includes(path)) return path;
  return templates.find((template) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}$`).test(path));
};

/** At most 120 characters of `value` as JSON, for a message. */
const shown = (value: unknown): string => {
  const json = JSON.stringify(value) ?? 'nothing';
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
};

/**
 * The failing leaves of an evaluation of `instance` (called `subject` in messages), each as
 * "where: what the schema asked, what it got"; `schemas` is the document the keyword
 * locations point into, when there is one to read them from.
 */
const describeFailures = (units: readonly OutputUnit[], schemas: unknown, instance: unknown, subject: string): string[] =>
  units.flatMap((unit) => {
    if (unit.errors !== undefined && unit.errors.length > 0) return describeFailures(unit.errors, schemas, instance, subject);
    const keyword = unit.keyword.split('/').pop() ?? unit.keyword;
    const asked = schemas === undefined ? undefined : at(schemas, new URL(unit.absoluteKeywordLocation).hash);
    const got = at(instance, unit.instanceLocation);
    const where = `${subject}${unit.instanceLocation.replace(/^#/, '')}`;
    if (keyword === 'required' && Array.isArray(asked) && typeof got === 'object' && got !== null) {
      return [`${where} lacks ${asked.filter((name) => typeof name === 'string' && !(name in got)).join(', ')}`];
    }
    return [`${where} fails ${keyword}${asked === undefined ? '' : ` ${JSON.stringify(asked)}`}, got ${shown(got)}`];
  });

export interface ResponseValidator {
  /** Every way `exchange` departs from the document; empty when it conforms. */
  problems(exchange: Exchange): Promise<string[]>;
  /** Throws, naming the request, the route and every mismatch, unless `exchange` conforms. */
  assertConforms(exchange: Exchange): Promise<void>;
}

/**
 * A validator for answers described by `document` (an OpenAPI 3.1 document as served), which
 * `source` names in messages. Refuses a document that is not valid OpenAPI 3.1.
 */
export const responseValidator = async (document: Json, source: string): Promise<ResponseValidator> => {
  const valid = await validate(oas31Document, document, DETAILED);
  if (!valid.valid) throw new Error(`${source} is not a valid OpenAPI 3.1 document:\n  ${describeFailures(valid.errors ?? [], undefined, document, 'the document').join('\n  ')}`);
  // Valid against OpenAPI 3.1's own schema, so it has the shape read here.
  const openApi = document as unknown as OpenApiDocument;
  // Registered under a name of its own: the registry is per process, and each shop serves its own document.
  const base = `https://openapi.seam.test/${randomUUID()}/openapi.json`;
  registerSchema(document as Parameters<typeof registerSchema>[0], base, oas31Document);

  const problems = async (exchange: Exchange): Promise<string[]> => {
    const path = exchange.path.split('?')[0] ?? exchange.path;
    const method = exchange.method.toLowerCase();
    const template = templateOf(openApi, path);
    const operation = template === undefined ? undefined : openApi.paths[template]?.[method];
    if (template === undefined || operation === undefined) return [`no operation ${exchange.method.toUpperCase()} ${path} is documented`];
    const responses = operation.responses ?? {};
    const statusKey = [String(exchange.status), `${String(exchange.status)[0]}XX`, 'default'].find((key) => responses[key] !== undefined);
    if (statusKey === undefined) return [`status ${exchange.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const content = responses[statusKey]?.content ?? {};
    const mediaType = exchange.contentType?.split(';')[0]?.trim().toLowerCase();
    if (Object.keys(content).length === 0) return exchange.body === '' ? [] : [`status ${exchange.status} is documented without a body, and one came`];
    if (mediaType === undefined || content[mediaType] === undefined) {
      return [`content type ${exchange.contentType ?? '(none)'} is not documented for status ${exchange.status} (documented: ${Object.keys(content).join(', ')})`];
    }
    let body: Json;
    try {
      body = JSON.parse(exchange.body) as Json;
    } catch {
      return [`the ${mediaType} body is not JSON: ${exchange.body.slice(0, 200)}`];
    }
    const pointer = ['paths', template, method, 'responses', statusKey, 'content', mediaType, 'schema'].map(pointerToken).join('/');
    const output = await validate(`${base}#/${pointer}`, body, DETAILED);
    const found = output.valid ? [] : describeFailures(output.errors ?? [], document, body, 'body');
    // The document names each status's problem codes as its examples' keys: a code it does not name is undocumented too.
    const codes = Object.keys(content[mediaType]?.examples ?? {});
    const code = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['code'] : undefined;
    if (mediaType === problemMedia && codes.length > 0 && (typeof code !== 'string' || !codes.includes(code))) {
      found.push(`problem code ${JSON.stringify(code)} is not documented for status ${exchange.status} (documented: ${codes.join(', ')})`);
    }
    return found;
  };

  return {
    problems,
    assertConforms: async (exchange) => {
      const found = await problems(exchange);
      if (found.length === 0) return;
      const path = exchange.path.split('?')[0] ?? exchange.path;
      const route = templateOf(openApi, path);
      const operationId = route === undefined ? undefined : openApi.paths[route]?.[exchange.method.toLowerCase()]?.operationId;
      const named = route === undefined ? '' : ` (route ${exchange.method.toUpperCase()} ${route}${operationId === undefined ? '' : `, ${operationId}`})`;
      throw new Error(
        `${exchange.method.toUpperCase()} ${exchange.path}${named} answered ${exchange.status} ${exchange.contentType ?? '(no content type)'}, which ${source} does not allow:\n` +
          `  ${found.join('\n  ')}\n  body: ${exchange.body.slice(0, 500)}`,
      );
    },
  };
};

/** The validator for the document the shop at `baseUrl` serves at /api/v1/openapi.json. */
export const servedResponseValidator = async (baseUrl: string): Promise<ResponseValidator> => {
  const source = `${baseUrl}/api/v1/openapi.json`;
  const response = await fetch(source);
  if (response.status !== 200) throw new Error(`${source} answered ${response.status}, not the OpenAPI document`);
  return responseValidator((await response.json()) as Json, source);
};
