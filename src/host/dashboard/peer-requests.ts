/**
 * @module What the gateway's dashboard asks the other instances of a split, each with a
 * short timeout so one hung instance cannot hold a page: is it ready (`/readyz`, as a load
 * balancer or the split runner asks), which spans of a trace does it keep, which traces
 * does a search find among its spans, and (another gateway replica) which requests did it take lately.
 */
import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { ServiceCredentials } from '../../transport/http/service-credential.js';
import { errorFromBody, headers } from '../../transport/http/wire.js';
import type { RecordedSpan } from '../span-buffer.js';
import { matchingTracesAnswer, matchingTracesPath, recentSpansPath, spansAnswer, spansPath } from './spans-endpoint.js';

export interface PeerRequestOptions {
  /** How long one instance may take to answer. */
  readonly timeoutMs: number;
  /** Connection pools trusting the deployment's CA, when it serves TLS; undici's global one otherwise. */
  readonly dispatcher?: Dispatcher;
}

export type Readiness =
  | { readonly state: 'healthy'; readonly instance: string | undefined }
  | { readonly state: 'not ready'; readonly instance: string | undefined; readonly detail: string }
  | { readonly state: 'unreachable'; readonly detail: string };

/** A readiness answer's checks as the instances page shows a not-ready instance's: `database: ok, migrations: pending`. */
export const checksDetail = (checks: object): string =>
  Object.entries(checks)
    .map(([check, value]) => `${check}: ${String(value)}`)
    .join(', ');

const reasonOf = (error: unknown, timeoutMs: number): string => {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
};

/**
 * One GET on a connection of its own (`reset`): a pooled connection the instance closed while
 * idle, or a killed instance's, would fail the request as if the live instance were unreachable.
 */
const get = (url: string, options: PeerRequestOptions, extra: Record<string, string> = {}) =>
  request(url, { method: 'GET', headers: extra, reset: true, signal: AbortSignal.timeout(options.timeoutMs), ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });

const jsonOf = async (body: Dispatcher.ResponseData['body']): Promise<unknown> => {
  try {
    return await body.json();
  } catch {
    return undefined;
  }
};

const field = (value: unknown, name: string): unknown => (typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined);

/** Asks `baseUrl`'s /readyz: 200 is healthy, another answer not ready (with the checks it names), none unreachable. */
export const probeReadiness = async (baseUrl: string, options: PeerRequestOptions): Promise<Readiness> => {
  try {
    const response = await get(`${baseUrl}/readyz`, options);
    const body = await jsonOf(response.body);
    const named = field(body, 'instance');
    const instance = typeof named === 'string' ? named : undefined;
    if (response.statusCode === 200) return { state: 'healthy', instance };
    const checks = field(body, 'checks');
    const detail = typeof checks === 'object' && checks !== null ? checksDetail(checks) : `HTTP ${response.statusCode}`;
    return { state: 'not ready', instance, detail };
  } catch (error) {
    return { state: 'unreachable', detail: reasonOf(error, options.timeoutMs) };
  }
};

/** An instance's answer, or why there is none. */
export type PeerAnswer<T> = { readonly answered: true; readonly value: T } | { readonly answered: false; readonly detail: string };

/** GET `url` with this service's credential; its JSON answer as `schema` reads it. */
const askWithCredential = async <T>(url: string, schema: z.ZodType<T>, credentials: ServiceCredentials, options: PeerRequestOptions): Promise<PeerAnswer<T>> => {
  try {
    const response = await get(url, options, { [headers.credential]: await credentials.current() });
    const body = await jsonOf(response.body);
    if (response.statusCode !== 200) {
      const message = errorFromBody(body, response.statusCode)?.message;
      return { answered: false, detail: `HTTP ${response.statusCode}${message === undefined ? '' : `: ${message}`}` };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return { answered: false, detail: `an answer of another shape (${parsed.error.issues[0]?.message ?? 'invalid'})` };
    return { answered: true, value: parsed.data };
  } catch (error) {
    return { answered: false, detail: reasonOf(error, options.timeoutMs) };
  }
};

const askForSpans = async (url: string, credentials: ServiceCredentials, options: PeerRequestOptions): Promise<PeerAnswer<RecordedSpan[]>> => {
  const answer = await askWithCredential(url, spansAnswer, credentials, options);
  return answer.answered ? { answered: true, value: answer.value.spans.map((span) => ({ ...span, parentSpanId: span.parentSpanId })) } : answer;
};

/** The spans of `traceId` the instance at `baseUrl` keeps. */
export const fetchPeerSpans = (baseUrl: string, traceId: string, credentials: ServiceCredentials, options: PeerRequestOptions): Promise<PeerAnswer<RecordedSpan[]>> =>
  askForSpans(`${baseUrl}${spansPath}?trace=${traceId}`, credentials, options);

/** The spans of the latest traces the instance at `baseUrl` keeps (another gateway replica). */
export const fetchPeerRecentSpans = (baseUrl: string, credentials: ServiceCredentials, options: PeerRequestOptions): Promise<PeerAnswer<RecordedSpan[]>> =>
  askForSpans(`${baseUrl}${recentSpansPath}`, credentials, options);

/** The ids of the traces `search` finds among the spans the instance at `baseUrl` keeps. */
export const fetchPeerMatches = async (baseUrl: string, search: string, credentials: ServiceCredentials, options: PeerRequestOptions): Promise<PeerAnswer<string[]>> => {
  const answer = await askWithCredential(`${baseUrl}${matchingTracesPath}?q=${encodeURIComponent(search)}`, matchingTracesAnswer, credentials, options);
  return answer.answered ? { answered: true, value: answer.value.traceIds } : answer;
};
