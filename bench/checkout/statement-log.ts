/**
 * @module Counting statements from the server log: turns `log_statement = all` on for a moment
 * and returns what one application sent meanwhile.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';

/** Statements the shop runs in the background, whatever the request in flight. */
export const backgroundStatement = /outbox set locked_until|for update skip locked|"saga_next_at" <= now\(\)|"reservations"\."expires_at" </;

/** A logged statement without its "statement: " or "execute <name>: " prefix. */
export const statementText = (line: string): string => line.replace(/^(statement|execute [^:]*): /, '').trim();

/** Makes the server prefix each log line with the application name, which `capture` selects by. */
export const prefixLogLinesWithApplication = async (admin: postgres.Sql): Promise<void> => {
  await admin.unsafe(`alter system set log_line_prefix = '%m [%p] %a: '`);
  await admin`select pg_reload_conf()`;
};

/**
 * Starts logging every statement; the function returned stops and gives the statements logged
 * by `applicationName` in between.
 */
export const captureStatements = async (admin: postgres.Sql, logFile: string, applicationName: string): Promise<() => Promise<string[]>> => {
  await admin.unsafe(`alter system set log_statement = 'all'`);
  await admin`select pg_reload_conf()`;
  await sleep(200); // every backend rereads the configuration before its next command; this is margin
  const from = readFileSync(logFile).length;
  return async () => {
    await admin.unsafe(`alter system reset log_statement`);
    await admin`select pg_reload_conf()`;
    await sleep(200);
    const text = readFileSync(logFile).subarray(from).toString('utf8');
    const marker = ` ${applicationName}: LOG:  `;
    return text
      .split('\n')
      .filter((line) => line.includes(marker))
      .map((line) => line.slice(line.indexOf(marker) + marker.length))
      .filter((line) => /^(statement|execute [^:]*): /.test(line));
  };
};
