/**
 * @module Where a notification goes once recorded: e-mail, push, a log. One interface, so the
 * module does not care which.
 */
import type { Notification } from './contract.js';

export interface NotificationChannel {
  /**
   * Sends one notification. Throwing makes the event's delivery fail and be retried, with the
   * notification not recorded; so a channel may see a notification again, never lose one.
   */
  send(notification: Notification): Promise<void>;
}
