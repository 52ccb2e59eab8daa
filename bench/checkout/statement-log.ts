/**
 * @module Counting statements from the server log: turns `log_statement = all` on for a moment
 * and returns what one application sent meanwhile, each statement with the backend that ran
 * it, so transactions can be told apart and counted too.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';

/** One statement as the server logged it. */
export interface LoggedStatement {
  /** The backend's process id: one connection, so one transaction at a time. */
  readonly pid: number;
  /** The SQL, without the "statement: " or "execute <name>: " prefix. */
  readonly text: string;
}

/** What one order cost in the server's terms. */
export interface StatementCounts {
  readonly statements: number;
  /** Every transaction: each BEGIN..COMMIT block, and each statement sent outside one (it runs as a transaction of its own). */
  readonly transactions: number;
  /** The transactions that wrote and committed: each ends with a commit record in the WAL (a read-only one does not). */
  readonly commits: number;
}

/** Statements the shop runs on timers, whatever the request in flight: the checkout resumer's and the reservation sweeper's looks. */
export const backgroundStatement = /"saga_next_at" <= now\(\)|"reservations"\."expires_at" </;

/** The outbox relay's claim of a batch of events. */
export const isRelayClaim = ({ text }: LoggedStatement): boolean => /for update skip locked/.test(text);

/** Makes the server prefix each log line with its backend and application, which `capture` selects by. */
export const prefixLogLinesWithApplication = async (admin: postgres.Sql): Promise<void> => {
  await admin.unsafe(`alter system set log_line_prefix = '%m [%p] %a: '`);
  await admin`select pg_reload_conf()`;
};

const loggedStatement = /\[(\d+)\] (.*?): LOG: {2}(?:statement|execute [^:]*): (.*)$/;

/** The statements `applicationName` sent in `text` (a stretch of the server log); a statement over several lines is joined. */
const statementsIn = (text: string, applicationName: string): LoggedStatement[] => {
  const found: { pid: number; text: string }[] = [];
  let current: { pid: number; text: string } | undefined;
  for (const line of text.split('\n')) {
    // The server continues a multi-line statement on lines of its own, each starting with a tab.
    if (line.startsWith('\t')) {
      if (current) current.text += `\n${line.slice(1)}`;
      continue;
    }
    const match = loggedStatement.exec(line);
    current = match && match[2] === applicationName ? { pid: Number(match[1]), text: match[3]!.trim() } : undefined;
    if (current) found.push(current);
  }
  return found;
};

/**
 * Starts logging every statement; the function returned stops and gives the statements logged
 * by `applicationName` in between.
 */
export const captureStatements = async (admin: postgres.Sql, logFile: string, applicationName: string): Promise<() => Promise<LoggedStatement[]>> => {
  await admin.unsafe(`alter system set log_statement = 'all'`);
  await admin`select pg_reload_conf()`;
  await sleep(200); // every backend rereads the configuration before its next command; this is margin
  const from = readFileSync(logFile).length;
  return async () => {
    await admin.unsafe(`alter system reset log_statement`);
    await admin`select pg_reload_conf()`;
    await sleep(200);
    return statementsIn(readFileSync(logFile).subarray(from).toString('utf8'), applicationName);
  };
};

/** Whether a statement changes data or locks rows: either way its transaction writes to the WAL. */
const writes = (text: string): boolean => /\b(insert\s+into|update\s|delete\s+from)/i.test(text) || /\bfor\s+(no\s+key\s+)?update\b|\bfor\s+(key\s+)?share\b/i.test(text);

/** Statements, transactions and commits in `statements`, following each backend's transactions. */
export const countStatements = (statements: readonly LoggedStatement[]): StatementCounts => {
  const open = new Map<number, { wrote: boolean }>();
  let transactions = 0;
  let commits = 0;
  for (const { pid, text } of statements) {
    if (/^(begin|start transaction)\b/i.test(text)) {
      open.set(pid, { wrote: false });
      transactions += 1;
    } else if (/^(commit|end)\b/i.test(text)) {
      if (open.get(pid)?.wrote) commits += 1;
      open.delete(pid);
    } else if (/^rollback\b/i.test(text)) {
      open.delete(pid);
    } else {
      const transaction = open.get(pid);
      if (transaction) transaction.wrote ||= writes(text);
      else {
        transactions += 1;
        if (writes(text)) commits += 1;
      }
    }
  }
  return { statements: statements.length, transactions, commits };
};

/** Adds counts up. */
export const addCounts = (a: StatementCounts, b: StatementCounts): StatementCounts => ({
  statements: a.statements + b.statements,
  transactions: a.transactions + b.transactions,
  commits: a.commits + b.commits,
});
