/**
 * @module Each publishing module's outbox as the dashboard shows it: rows waiting, how long
 * the oldest has waited, and the dead rows (those the relay gave up on) to replay.
 */
import type { Database } from '../../kernel/database.js';
import type { DeadLetter } from '../../kernel/outbox-relay.js';
import { outboxBacklog } from '../outbox-backlog.js';

export interface OutboxStatus {
  readonly module: string;
  readonly schema: string;
  readonly pending: number;
  /** Seconds the oldest pending row has waited; 0 when none waits. */
  readonly oldestPendingSeconds: number;
  readonly dead: readonly DeadLetter[];
}

export interface OutboxSources {
  readonly db: Database;
  /** The modules whose outbox this process relays. */
  readonly publishing: readonly { readonly name: string; readonly schema: string }[];
  /** The relay's dead rows, every outbox's. */
  deadLetters(): Promise<DeadLetter[]>;
}

/** Every publishing module's outbox, in the order given. */
export const outboxStatus = async (sources: OutboxSources): Promise<OutboxStatus[]> => {
  const dead = await sources.deadLetters();
  return Promise.all(
    sources.publishing.map(async ({ name, schema }) => ({
      module: name,
      schema,
      ...(await outboxBacklog(sources.db, schema)),
      dead: dead.filter((letter) => letter.schema === schema),
    })),
  );
};
