/**
 * @module Notification rows. The only file of the notifications module that writes SQL.
 */
import { randomUUID } from 'node:crypto';
import { desc, eq, getTableColumns } from 'drizzle-orm';
import { statement, type Database } from '../../kernel/database.js';
import type { Notification } from './contract.js';
import type { NotificationDraft } from './messages.js';
import { notifications } from './schema.js';

type NotificationRow = typeof notifications.$inferSelect;

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  userId: row.userId,
  kind: row.kind,
  title: row.title,
  body: row.body,
  createdAt: row.createdAt.toISOString(),
});

type NewNotification = Omit<typeof notifications.$inferInsert, 'recordedAt'> & { readonly createdAt: Date };

/** Built once: the relay runs it for every event a customer hears of. */
const insertForEvent = statement<NewNotification>('notifications.insert-for-event')(
  (db, p) =>
    db
      .insert(notifications)
      .values({ id: p.id, userId: p.userId, kind: p.kind, title: p.title, body: p.body, eventId: p.eventId, createdAt: p.createdAt })
      .onConflictDoNothing({ target: notifications.eventId })
      .returning(),
  getTableColumns(notifications),
);

/** What the notifications module reads and writes; the repository below is its PostgreSQL implementation. */
export interface NotificationStore {
  /**
   * Records the notification of the event `eventId`, dated when the event happened (events
   * from several services arrive in any order; the list still reads in the order of events);
   * undefined when that event already has one.
   */
  insertForEvent(eventId: string, occurredAt: Date, draft: NotificationDraft): Promise<Notification | undefined>;
  /** The user's newest `limit` notifications, newest first. */
  listByUser(userId: string, limit: number): Promise<Notification[]>;
}

export class NotificationRepository implements NotificationStore {
  /** `db` may be an event handler's transaction, so the row commits with the inbox mark. */
  constructor(private readonly db: Database) {}

  async insertForEvent(eventId: string, occurredAt: Date, draft: NotificationDraft): Promise<Notification | undefined> {
    const [row] = await insertForEvent.run(this.db, { id: randomUUID(), eventId, createdAt: occurredAt, ...draft });
    return row ? toNotification(row) : undefined;
  }

  async listByUser(userId: string, limit: number): Promise<Notification[]> {
    const rows = await this.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.createdAt), desc(notifications.recordedAt))
      .limit(limit);
    return rows.map(toNotification);
  }
}
