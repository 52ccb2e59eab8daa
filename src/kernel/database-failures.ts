/**
 * @module Transient database failures, told apart by what they did: a statement that surely did
 * not take effect is tried again; one whose connection dropped mid-way is tried again only if
 * it is a read, and otherwise reported as OUTCOME_UNKNOWN; a database that stays away is
 * SERVICE_UNAVAILABLE. Other errors (a constraint, a bug) pass through untouched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { callDeadline } from './call-context.js';
import { settleBy } from './deadline-watch.js';
import { OutcomeUnknown, ServiceUnavailable, type SeamError } from './errors.js';

/** What a transient failure did: `not-run` (nothing took effect) or `maybe-run`. */
export type TransientEffect = 'not-run' | 'maybe-run';

/** Driver and SQLSTATE codes after which the statement surely did not take effect. */
const notRunCodes: ReadonlySet<string> = new Set([
  // No connection was made, or the pool is closed: the statement never left.
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
  'CONNECTION_ENDED',
  '57P03', // cannot_connect_now: starting up or shutting down
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '53300', // too_many_connections
  // The server rolled the transaction back.
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** Code of the error `unlessStalled` rejects with. */
export const statementStalled = 'STATEMENT_STALLED';

/** Codes after which a statement in flight may or may not have taken effect: the connection went mid-way. */
const maybeRunCodes: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown
  '57P02', // crash_shutdown
  '57P05', // idle_session_timeout
  statementStalled, // ours: no answer in time (see unlessStalled)
]);

/** The effect of a transient failure; undefined when `error` is not one (retrying would not help). */
export const transientEffect = (error: unknown): TransientEffect | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return undefined;
  if (notRunCodes.has(code)) return 'not-run';
  // Class 08: connection exceptions.
  if (maybeRunCodes.has(code) || code.startsWith('08')) return 'maybe-run';
  return undefined;
};

const stalled = (ms: number): Error =>
  Object.assign(new Error(`The database gave no answer within ${ms} ms; the statement may or may not have run`), { code: statementStalled });

/**
 * `work`, or a STATEMENT_STALLED failure once `ms` pass without it settling and `giveUp()`
 * agrees. postgres.js 3.4.9 can leave a statement pending for good: one parked on a connection
 * that closes cleanly while it starts up (porsager/postgres#1193), or sent on one that went
 * silent (#1089). A restart under load left an order's checkout waiting on one for minutes.
 * Whatever settles `work` later is ignored.
 */
export const unlessStalled = <T>(work: PromiseLike<T>, ms: number, giveUp: () => boolean = () => true): Promise<T> =>
  // The process's one deadline timer: a timer per statement would cost every statement a timer-list insert and removal.
  settleBy(work, Date.now() + ms, () => (giveUp() ? stalled(ms) : undefined));

/** A statement outside a transaction that only reads: running it again is harmless. */
export const isRead = (statement: string): boolean => /^\s*\(?\s*select\b/i.test(statement);

/** Tries per statement, and the waits between them (full jitter): about two seconds in all, enough for a restart. */
const maxAttempts = 6;
const firstDelayMs = 50;
const maxDelayMs = 800;

const unavailable = (error: unknown): SeamError => ServiceUnavailable.create('The database is unavailable; nothing was written', undefined, { cause: error });

const outcomeUnknown = (error: unknown): SeamError =>
  OutcomeUnknown.create('The database connection was lost mid-write; it may or may not have been made', undefined, { cause: error });

/** The wait before try `attempt + 1`, or undefined when no try is left (attempts spent, or the caller's deadline). */
const nextDelay = (attempt: number): number | undefined => {
  if (attempt >= maxAttempts) return undefined;
  const delay = Math.random() * Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1));
  const deadline = callDeadline();
  return deadline !== undefined && Date.now() + delay >= deadline ? undefined : delay;
};

/**
 * Runs one statement outside a transaction (`start` sends it anew each time), trying again after
 * a transient failure while that is safe: always when it did not run, for a read also when it
 * may have. Fails with OUTCOME_UNKNOWN for a write that may have run, SERVICE_UNAVAILABLE once
 * the tries are spent. `observe` sees every failure first.
 */
export const runStatement = <T>(start: () => PromiseLike<T>, read: boolean, observe?: (error: unknown) => void): Promise<T> => {
  // The usual case costs one promise: the retry loop is entered only after a failure.
  const retryAfter = async (error: unknown, attempt: number): Promise<T> => {
    observe?.(error);
    const effect = transientEffect(error);
    if (effect === undefined) throw error;
    if (effect === 'maybe-run' && !read) throw outcomeUnknown(error);
    const delay = nextDelay(attempt);
    if (delay === undefined) throw unavailable(error);
    await sleep(delay);
    try {
      return await start();
    } catch (again) {
      return retryAfter(again, attempt + 1);
    }
  };
  return Promise.resolve(start()).then(undefined, (error: unknown) => retryAfter(error, 1));
};

/** Where a transaction was when it failed: before its work ran, during it, or at its commit. */
export type TransactionStage = 'begin' | 'work' | 'commit';

/**
 * Runs a transaction (`start` opens, runs and commits it anew each time, reporting its stage).
 * One that failed before its work ran is tried again; one that failed later is not (its work
 * may have effects outside the database): a transient failure before the commit rolled it
 * back (SERVICE_UNAVAILABLE), one at the commit may have committed (OUTCOME_UNKNOWN).
 */
export const runTransaction = async <T>(start: (stage: { current: TransactionStage }) => PromiseLike<T>, observe?: (error: unknown) => void): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    const stage: { current: TransactionStage } = { current: 'begin' };
    try {
      return await start(stage);
    } catch (error) {
      observe?.(error);
      const effect = transientEffect(error);
      if (effect === undefined) throw error;
      if (stage.current === 'commit' && effect === 'maybe-run') throw outcomeUnknown(error);
      const delay = stage.current === 'begin' ? nextDelay(attempt) : undefined;
      if (delay === undefined) throw unavailable(error);
      await sleep(delay);
    }
  }
};
