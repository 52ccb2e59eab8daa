/**
 * @module Notification rows. The only file of the notifications module that writes SQL.
 */
import { randomUUID } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import type { Database } from '../../kernel/database.js';
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
    const [row] = await this.db
      .insert(notifications)
      .values({ id: randomUUID(), eventId, createdAt: occurredAt, ...draft })
      .onConflictDoNothing({ target: notifications.eventId })
      .returning();
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
