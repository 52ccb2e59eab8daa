/**
 * @module `seam dead-letters list|replay`: dead outbox rows (DATABASE_URL, else the embedded
 * database) and queue dead letters (REDIS_URL; QUEUE_PREFIX if the deployment set a BullMQ key
 * prefix), as one table saying where each comes from.
 */
import { Command } from 'commander';
import type { Application } from '../../../src/host/application.js';
import type { DatabaseHandle } from '../../../src/kernel/database.js';
import type { DeadLetterSources, DeadRow, Looked } from '../../dead-letters.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { findProject, loadApplication, type Project } from '../project.js';
import type { Env } from './database.js';

/** Cuts `text` to `width` characters, marking the cut, and pads it to that width. */
const cell = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

const columns = [
  { title: 'source', width: 24, value: (row: DeadRow) => `${row.source} ${row.place}` },
  { title: 'id', width: 36, value: (row: DeadRow) => row.id },
  { title: 'subscriber', width: 14, value: (row: DeadRow) => row.subscriber },
  { title: 'event type', width: 32, value: (row: DeadRow) => row.eventType },
  { title: 'attempts', width: 8, value: (row: DeadRow) => String(row.attempts) },
  { title: 'last error', width: 60, value: (row: DeadRow) => row.lastError.replace(/\s+/g, ' ') },
];

/** `rows` as a table with a header, one line each. */
export const deadLetterTable = (rows: readonly DeadRow[]): string => {
  const line = (text: (column: (typeof columns)[number]) => string): string => columns.map((column) => cell(text(column), column.width)).join('  ').trimEnd();
  return [line((column) => column.title), line((column) => '-'.repeat(column.width)), ...rows.map((row) => line((column) => column.value(row)))].join('\n');
};

/** Where a listing looked, and what it could not look at, in a line. */
const lookedAt = (looked: Looked, sources: DeadLetterSources, databaseNote: string): string => {
  const outboxes = sources.database ? `outboxes of ${looked.outboxes.join(', ') || 'no module (none migrated here)'}` : `no outbox (${databaseNote})`;
  const queues = sources.redis ? `queues of ${looked.queues.join(', ') || 'no subscriber'}` : 'no queue (REDIS_URL is not set)';
  return `Looked at: ${outboxes}; ${queues}.`;
};

interface OpenSources {
  readonly sources: DeadLetterSources;
  /** Why there is no database source, when there is none. */
  readonly databaseNote: string;
  close(): Promise<void>;
}

/** The sources `env` configures; an embedded database that does not exist yet holds nothing dead. */
export const openSources = async (project: Project, env: Env): Promise<OpenSources> => {
  const { databaseOf, describeDatabase, openCommandDatabase, pgliteState } = await import('./database.js');
  const config = databaseOf(project, env);
  const absent = config.kind === 'pglite' && pgliteState(config.dataDir) === 'absent';
  const database: DatabaseHandle | undefined = absent ? undefined : await openCommandDatabase(project, env);
  const redisUrl = env['REDIS_URL'];
  const prefix = env['QUEUE_PREFIX'];
  const sources: DeadLetterSources = {
    ...(database ? { database } : {}),
    ...(redisUrl ? { redis: { url: redisUrl, ...(prefix ? { prefix } : {}) } } : {}),
  };
  return { sources, databaseNote: `${describeDatabase(project, config)} does not exist yet`, close: async () => database?.close() };
};

/** Runs `work` on the project's application and the sources of `process.env`, closing them after. */
const withSources = async <T>(work: (application: Application, open: OpenSources) => Promise<T>): Promise<T> => {
  const project = findProject();
  const application = await loadApplication(project);
  const open = await openSources(project, process.env);
  try {
    return await work(application, open);
  } finally {
    await open.close();
  }
};

const listCommand = (): Command =>
  new Command('list')
    .description('list dead outbox rows and queue dead letters, saying where each is')
    .option('--subscriber <module>', 'only those for this subscribing module')
    .addHelpText('after', '\nExample:\n  $ DATABASE_URL=postgres://postgres@localhost/seam REDIS_URL=redis://localhost:6379 seam dead-letters list --subscriber notifications')
    .action((options: { subscriber?: string }) =>
      withSources(async (application, open) => {
        const { deadLettersOf } = await import('../../dead-letters.js');
        const { rows, looked } = await deadLettersOf(application, open.sources, options);
        console.log(rows.length === 0 ? 'No dead letters.' : `${deadLetterTable(rows)}\n\n${rows.length} dead letter(s).`);
        console.log(lookedAt(looked, open.sources, open.databaseNote));
      }),
    );

const replayCommand = (): Command =>
  new Command('replay')
    .description('send dead letters again: outbox rows back to pending (the relay delivers them), queue letters back on their queue')
    .argument('[ids...]', 'ids from seam dead-letters list')
    .option('--all', 'every dead letter (of --subscriber, if given)', false)
    .option('--subscriber <module>', 'only those for this subscribing module')
    .addHelpText('after', '\nExample:\n  $ seam dead-letters replay 0b7e2c9a-5d1f-4c47-9a53-3f7b1f0c2d11\n  $ seam dead-letters replay --all --subscriber notifications')
    .action((ids: string[], options: { all: boolean; subscriber?: string }) => {
      if (ids.length === 0 && !options.all) throw new UsageError('name the dead letters to replay (ids from seam dead-letters list), or pass --all');
      if (ids.length > 0 && options.all) throw new UsageError('give ids or --all, not both');
      return withSources(async (application, open) => {
        const { replayDeadLetters } = await import('../../dead-letters.js');
        const { replayed, notFound } = await replayDeadLetters(application, open.sources, { ...options, ...(options.all ? {} : { ids }) });
        for (const row of replayed) console.log(`Replayed ${row.id} (${row.source} ${row.place}) to ${row.subscriber}.`);
        if (options.all) console.log(`Replayed ${replayed.length} dead letter(s).`);
        if (notFound.length > 0) throw new CliFailure(`no dead letter ${notFound.join(', ')}: see which there are, and where it looked, with seam dead-letters list`);
      });
    });

export const deadLettersCommand = (): Command =>
  new Command('dead-letters')
    .description('events that failed every delivery attempt: dead outbox rows (DATABASE_URL) and queue dead letters (REDIS_URL)')
    .addCommand(listCommand())
    .addCommand(replayCommand())
    .addHelpText('after', '\nExample:\n  $ seam dead-letters list\n  $ seam dead-letters replay --all');
