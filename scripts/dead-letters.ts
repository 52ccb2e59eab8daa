/**
 * @module `npm run dead-letters -- list <module>` / `replay <module> <id|--all>`: a subscriber's
 * dead-lettered events (`seam.dead.<module>`), as a table, and putting them back on its queue.
 *
 * Redis is REDIS_URL; QUEUE_PREFIX, if the deployment set one, is the BullMQ key prefix.
 * Exit codes: 0 done, 1 a replay found no such letter, 64 bad usage, 78 no REDIS_URL.
 */
import { listDeadLetters, replayAll, replayDeadLetter, type DeadLetter } from '../src/transport/queue/dead-letters.js';

const usage = 'usage: tsx scripts/dead-letters.ts list <module>\n       tsx scripts/dead-letters.ts replay <module> <id|--all>';

/** Cuts `text` to `width` characters, marking the cut, and pads it to that width. */
const cell = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

const table = (letters: readonly DeadLetter[]): string => {
  const columns = [
    { title: 'id', width: 36, value: (letter: DeadLetter) => letter.id },
    { title: 'event type', width: 32, value: (letter: DeadLetter) => letter.name },
    { title: 'attempts', width: 8, value: (letter: DeadLetter) => String(letter.attempts) },
    { title: 'failed at', width: 24, value: (letter: DeadLetter) => letter.failedAt },
    { title: 'last error', width: 60, value: (letter: DeadLetter) => letter.error.replace(/\s+/g, ' ') },
  ];
  const row = (text: (column: (typeof columns)[number]) => string): string => columns.map((column) => cell(text(column), column.width)).join('  ').trimEnd();
  return [row((column) => column.title), row((column) => '-'.repeat(column.width)), ...letters.map((letter) => row((column) => column.value(letter)))].join('\n');
};

const main = async (): Promise<number> => {
  const [command, subscriber, target] = process.argv.slice(2);
  if (!subscriber || (command !== 'list' && command !== 'replay')) {
    console.error(usage);
    return 64;
  }
  const url = process.env['REDIS_URL'];
  if (!url) {
    console.error('REDIS_URL is not set: expected redis://host:port of the deployment’s Redis');
    return 78;
  }
  const options = { connection: url, subscriber, ...(process.env['QUEUE_PREFIX'] ? { prefix: process.env['QUEUE_PREFIX'] } : {}) };
  if (command === 'list') {
    const letters = await listDeadLetters(options);
    console.log(letters.length === 0 ? `No dead letters for ${subscriber}.` : `${table(letters)}\n\n${letters.length} dead letter(s) for ${subscriber}.`);
    return 0;
  }
  if (!target) {
    console.error(usage);
    return 64;
  }
  if (target === '--all') {
    console.log(`Replayed ${await replayAll(options)} dead letter(s) to ${subscriber}.`);
    return 0;
  }
  if (await replayDeadLetter({ ...options, id: target })) {
    console.log(`Replayed ${target} to ${subscriber}.`);
    return 0;
  }
  console.error(`No dead letter ${target} for ${subscriber}.`);
  return 1;
};

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 1;
});
