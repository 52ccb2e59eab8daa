/**
 * The public API differ on documents hono-openapi generates from routes described as the
 * gateway describes its own: what breaks a client without a new major is refused, what is
 * additive passes. The last tests run the real check against a copy of the snapshot.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../src/gateway/openapi/document.js';
import { describeOperation, type OperationDoc } from '../../src/gateway/openapi/operation.js';
import { defineError } from '../../src/kernel/errors.js';
import { testBuildEntry } from '../../test/support/test-build.js';
import { compareApis, type ApiDocument } from './compare.js';

const ThingNotFound = defineError('THING_NOT_FOUND', 'not-found', 'Thing not found');
const ThingLocked = defineError('THING_LOCKED', 'conflict', 'Thing locked');

const thing = z.object({ id: z.string(), name: z.string(), count: z.number().int().min(0) });
const listQuery = z.object({ limit: z.string().optional() });
const createBody = z.object({ name: z.string().max(100), note: z.string().optional() });

const listDoc: OperationDoc = {
  operationId: 'listThings',
  examplePath: '/things',
  tag: 'Things',
  summary: 'Lists things',
  access: 'public',
  query: listQuery,
  answers: { 200: { description: 'Things', schema: z.object({ items: z.array(thing) }), example: { items: [] } } },
  errors: [],
};
const getDoc: OperationDoc = {
  operationId: 'getThing',
  examplePath: '/things/1',
  tag: 'Things',
  summary: 'Gets a thing',
  access: 'public',
  path: { id: 'The thing id' },
  answers: { 200: { description: 'The thing', schema: thing, example: { id: '1', name: 'a', count: 0 } } },
  errors: [ThingNotFound],
};
const createDoc: OperationDoc = {
  operationId: 'createThing',
  examplePath: '/things',
  tag: 'Things',
  summary: 'Creates a thing',
  access: 'signed-in',
  body: { schema: createBody, example: { name: 'a' } },
  answers: { 201: { description: 'The thing', schema: thing, example: { id: '1', name: 'a', count: 0 } } },
  errors: [],
};

const ok = (): Response => new Response(null, { status: 204 });

/** The document of an app with the three routes, each description changed by `change`. */
const documentOf = async (change: Partial<Record<'list' | 'get' | 'create', Partial<OperationDoc> | null>> = {}): Promise<ApiDocument> => {
  const api = new Hono();
  const routes = { list: ['get', '/things', listDoc], get: ['get', '/things/:id', getDoc], create: ['post', '/things', createDoc] } as const;
  for (const [name, [method, path, doc]] of Object.entries(routes)) {
    const override = change[name as keyof typeof routes];
    if (override === null) continue;
    api.on(method, path, describeOperation({ ...doc, ...override }), ok);
  }
  return (await openApiDocument(api, { title: 'Things API', description: 'Things.', tags: [] })) as unknown as ApiDocument;
};

describe('compareApis', () => {
  it('finds nothing between two documents of the same routes', async () => {
    expect(compareApis(await documentOf(), await documentOf())).toEqual({ breaking: [], additive: [] });
  });

  it('refuses a removed operation, and passes an added one', async () => {
    expect(compareApis(await documentOf(), await documentOf({ get: null })).breaking).toEqual(['GET /things/{id}: operation removed']);
    expect(compareApis(await documentOf({ get: null }), await documentOf())).toEqual({ breaking: [], additive: ['GET /things/{id}: operation added'] });
  });

  it('refuses a field removed from an answer, and passes one added', async () => {
    const without = { answers: { 200: { ...getDoc.answers[200]!, schema: thing.omit({ count: true }) } } };
    expect(compareApis(await documentOf(), await documentOf({ get: without })).breaking).toEqual(['GET /things/{id} 200 answer: field "count" removed']);
    const withMore = { answers: { 200: { ...getDoc.answers[200]!, schema: thing.extend({ colour: z.string() }) } } };
    const additive = compareApis(await documentOf(), await documentOf({ get: withMore }));
    expect(additive.breaking).toEqual([]);
    expect(additive.additive.join('\n')).toContain('colour');
  });

  it('refuses a newly required request field or parameter, and passes an optional one', async () => {
    const required = { body: { schema: createBody.extend({ colour: z.string() }), example: {} } };
    expect(compareApis(await documentOf(), await documentOf({ create: required })).breaking).toEqual(['POST /things request body: field "colour" added as required']);
    const optional = { body: { schema: createBody.extend({ colour: z.string().optional() }), example: {} } };
    expect(compareApis(await documentOf(), await documentOf({ create: optional })).breaking).toEqual([]);
    const requiredQuery = { query: listQuery.extend({ sort: z.string() }), requiredQuery: ['sort'] };
    expect(compareApis(await documentOf(), await documentOf({ list: requiredQuery })).breaking).toEqual(['GET /things: query parameter "sort" added as required']);
  });

  it('refuses a narrowed request type and an answer type widened', async () => {
    const narrowed = { body: { schema: createBody.extend({ name: z.string().max(50) }), example: {} } };
    expect(compareApis(await documentOf(), await documentOf({ create: narrowed })).breaking).toEqual([expect.stringContaining('POST /things request body: field "name"')]);
    const widened = { answers: { 200: { ...getDoc.answers[200]!, schema: thing.extend({ count: z.number().int().min(0).nullable() }) } } };
    expect(compareApis(await documentOf(), await documentOf({ get: widened })).breaking).toEqual([expect.stringContaining('GET /things/{id} 200 answer: field "count"')]);
  });

  it('refuses authentication newly required and a new success status', async () => {
    expect(compareApis(await documentOf(), await documentOf({ list: { access: 'signed-in' } })).breaking).toEqual(['GET /things: now requires authentication']);
    const accepted = { answers: { ...getDoc.answers, 202: { description: 'Later', schema: thing, example: {} } } };
    expect(compareApis(await documentOf(), await documentOf({ get: accepted })).breaking).toEqual(['GET /things/{id}: may now answer 202, which older clients do not expect']);
  });

  it('passes a new error code, and refuses a code moved to another status', async () => {
    const more = compareApis(await documentOf(), await documentOf({ get: { errors: [ThingNotFound, ThingLocked] } }));
    expect(more).toEqual({ breaking: [], additive: ['GET /things/{id}: may now answer THING_LOCKED (409)'] });
    const moved = { ...ThingNotFound, kind: 'refused' as const };
    expect(compareApis(await documentOf(), await documentOf({ get: { errors: [moved] } })).breaking).toEqual(['GET /things/{id}: THING_NOT_FOUND now answers 422 instead of 404']);
  });
});

describe('seam api check', () => {
  const root = resolve(import.meta.dirname, '..', '..');
  const snapshot = join(root, 'contracts', 'public-api.v1.openapi.json');
  const cli = testBuildEntry('scripts/cli/main.ts');
  const check = (dir: string) =>
    promisify(execFile)(cli.command, [...cli.args, 'api', 'check', '--dir', dir], { cwd: root }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: `${error.stdout}${error.stderr}` }),
    );
  const withSnapshot = async (edit: (document: { paths: Record<string, Record<string, unknown>> }) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'seam-api-'));
    try {
      copyFileSync(snapshot, join(dir, 'public-api.v1.openapi.json'));
      const document = JSON.parse(readFileSync(snapshot, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
      edit(document);
      writeFileSync(join(dir, 'public-api.v1.openapi.json'), JSON.stringify(document));
      return await check(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('fails when the code no longer serves an operation the snapshot has', async () => {
    // A snapshot with one more operation is what the code looks like after removing that route.
    const result = await withSnapshot((document) => {
      document.paths['/gone'] = { get: { operationId: 'gone', responses: { 200: { description: 'ok' } } } };
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('GET /gone: operation removed');
  });

  it('passes, with a reminder, when the code adds an operation the snapshot lacks', async () => {
    const result = await withSnapshot((document) => {
      delete document.paths['/categories'];
    });
    expect(result.code).toBe(0);
    expect(result.output).toContain('GET /categories: operation added');
  });
});
